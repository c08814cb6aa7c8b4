using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridMesh.Models;
using YamlDotNet.RepresentationModel;

namespace HybridMesh.Engine.Steps.Check;

/// <summary>An istiod revision's version (from its image tag, else its revision name).</summary>
internal sealed record IstiodVersion(string Revision, int Major, int Minor, int Patch, string Text);

/// <summary>istiod's trust domain and aliases from its mesh config.</summary>
internal sealed record MeshTrust(string Revision, string TrustDomain, IReadOnlyList<string> Aliases);

/// <summary>
/// The Istio prerequisites beyond the IstioRevision rule (docs/design/prerequisites.md): control planes within the
/// supported version skew of each other, and trust domains that accept each other (asmcli's trustDomainAliases:
/// every cluster's trust domain is its own or one of its peers' aliases).
/// </summary>
internal static partial class IstioPrerequisiteChecks
{
    [GeneratedRegex(@"^(\d+)\.(\d+)(?:\.(\d+))?")]
    private static partial Regex TagVersion();

    // asm-1282-4 (1.28.2), asm-managed-... has no version; Istio revisions like 1-22-0.
    [GeneratedRegex(@"^asm-(\d)(\d{2})(\d+)-\d+$")]
    private static partial Regex AsmRevision();

    [GeneratedRegex(@"^(\d+)-(\d+)(?:-(\d+))?$")]
    private static partial Regex IstioRevisionName();

    /// <summary>
    /// The versions of the istiod Deployments the snapshot read (label app=istiod), each under the revision name the
    /// IstioRevision rule uses (ClusterInspector.Revision).
    /// </summary>
    public static IReadOnlyList<IstiodVersion> Versions(IReadOnlyList<IstiodInfo> istiods)
    {
        var result = new List<IstiodVersion>();
        foreach (var (_, revision, _, image) in istiods)
        {
            var tag = image is not null && image.LastIndexOf(':') is var colon and > 0 && !image[colon..].Contains('/') ? image[(colon + 1)..] : null;
            if (tag is not null && TagVersion().Match(tag) is { Success: true } t)
            {
                result.Add(new IstiodVersion(revision, Int(t, 1), Int(t, 2), Int(t, 3), tag));
            }
            else if (AsmRevision().Match(revision) is { Success: true } a)
            {
                result.Add(new IstiodVersion(revision, Int(a, 1), Int(a, 2), Int(a, 3), $"{a.Groups[1].Value}.{int.Parse(a.Groups[2].Value, CultureInfo.InvariantCulture)}.{a.Groups[3].Value}"));
            }
            else if (IstioRevisionName().Match(revision) is { Success: true } r)
            {
                result.Add(new IstiodVersion(revision, Int(r, 1), Int(r, 2), Int(r, 3), revision.Replace('-', '.')));
            }
        }

        return result;
    }

    private static int Int(Match m, int group) =>
        m.Groups[group].Success ? int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) : 0;

    /// <summary>Versions within one minor of each other across all clusters (Istio's supported control-plane skew).</summary>
    public static MeshCheck Version(PrerequisiteFacts f, IReadOnlyList<PrerequisiteFacts> all)
    {
        const string check = PrerequisiteCheckNames.IstioVersion;
        if (!f.Snapshot.Reachable) return ClusterChecks.Unreachable(check, f.Snapshot);
        var own = Chosen(f);
        if (f.Snapshot.Istiods.Count == 0)
        {
            return Result.Skip(check, f.Context, "No istiod (see IstioRevision).");
        }

        if (own.Count == 0)
        {
            return Result.Warn(check, f.Context, "The istiod version could not be read from its image tag or revision name.",
                "Check the istiod image (kubectl -n istio-system get deploy -l app=istiod -o wide); versions are compared when known.");
        }

        var text = string.Join(", ", own.Select(v => $"{v.Text} ({v.Revision})"));
        var far = all.Where(o => !ReferenceEquals(o, f)).SelectMany(o => Chosen(o).Select(v => (o.Context, v)))
            .Where(x => own.Any(v => v.Major != x.v.Major || Math.Abs(v.Minor - x.v.Minor) > 1)).ToArray();
        if (far.Length > 0)
        {
            return Result.Warn(check, f.Context,
                $"istiod {text}; more than one minor version apart from {string.Join(", ", far.Select(x => $"{x.Context} {x.v.Text}"))}.",
                "Upgrade the older control plane first (one minor version at a time) so all clusters run versions within one minor of each other.");
        }

        return Result.Pass(check, f.Context, $"istiod {text}; within one minor version of every other cluster.");
    }

    /// <summary>Each peer's trust domain is this cluster's own or one of its aliases, else workloads from it are rejected.</summary>
    public static MeshCheck TrustDomain(PrerequisiteFacts f, IReadOnlyList<PrerequisiteFacts> all)
    {
        const string check = PrerequisiteCheckNames.TrustDomain;
        if (!f.Snapshot.Reachable) return ClusterChecks.Unreachable(check, f.Snapshot);
        var own = Trust(f);
        if (own is null)
        {
            return Result.Skip(check, f.Context, "No mesh config (ConfigMap istio-<revision> or istio in istio-system with data.mesh) was found.");
        }

        var strangers = all.Where(o => !ReferenceEquals(o, f)).Select(o => (o.Context, Trust: Trust(o)))
            .Where(x => x.Trust is { } t && t.TrustDomain != own.TrustDomain && !own.Aliases.Contains(t.TrustDomain, StringComparer.Ordinal))
            .ToArray();
        var aliases = own.Aliases.Count == 0 ? "no aliases" : "aliases " + string.Join(", ", own.Aliases);
        if (strangers.Length > 0)
        {
            var missing = strangers.Select(x => x.Trust!.TrustDomain).Distinct(StringComparer.Ordinal).ToArray();
            return Result.Warn(check, f.Context,
                $"Trust domain '{own.TrustDomain}' ({aliases}); {string.Join(", ", strangers.Select(x => $"{x.Context} uses '{x.Trust!.TrustDomain}'"))}, " +
                "which this cluster does not accept.",
                $"Add {string.Join(", ", missing)} to trustDomainAliases in the mesh config of revision {own.Revision} " +
                "(asmcli create-mesh adds <fleet project>.svc.id.goog there), or install every cluster with the same trust domain.");
        }

        return Result.Pass(check, f.Context, $"Trust domain '{own.TrustDomain}' ({aliases}); every other cluster's trust domain is accepted.");
    }

    private static IReadOnlyList<IstiodVersion> Chosen(PrerequisiteFacts f) =>
        f.IstiodVersions.Where(v => f.Snapshot.Target.Revision is not { Length: > 0 } r || v.Revision == r).ToArray();

    /// <summary>The mesh config of the chosen revision (the first revision otherwise): istio-&lt;rev&gt;, or istio for default.</summary>
    internal static MeshTrust? Trust(PrerequisiteFacts f)
    {
        var revisions = f.Snapshot.Target.Revision is { Length: > 0 } chosen ? [chosen] : f.Snapshot.Details?.IstioRevisions ?? [];
        foreach (var revision in revisions)
        {
            var name = revision == "default" ? "istio" : "istio-" + revision;
            if (f.MeshConfigs.TryGetValue(name, out var mesh) && Parse(revision, mesh) is { } trust)
            {
                return trust;
            }
        }

        return f.MeshConfigs.TryGetValue("istio", out var fallback) ? Parse("default", fallback) : null;
    }

    internal static MeshTrust? Parse(string revision, string mesh)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(mesh));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                return new MeshTrust(revision, "cluster.local", []);
            }

            var domain = root.Children.TryGetValue(new YamlScalarNode("trustDomain"), out var d) && d is YamlScalarNode { Value: { Length: > 0 } v }
                ? v : "cluster.local";
            var aliases = root.Children.TryGetValue(new YamlScalarNode("trustDomainAliases"), out var a) && a is YamlSequenceNode list
                ? list.Children.OfType<YamlScalarNode>().Select(n => n.Value).OfType<string>().ToArray()
                : [];
            return new MeshTrust(revision, domain, aliases);
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return null;
        }
    }
}
