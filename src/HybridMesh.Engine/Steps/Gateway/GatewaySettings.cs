using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Steps.Gateway;

/// <summary>
/// The network and revision one cluster's gateway gets, and whether istio-system must be (re)labelled. The network
/// label on istio-system is what istiod uses for the whole cluster (docs/design/gateway-objects.md), so the gateway follows it; a requested
/// network only wins over a different label with -Force.
/// </summary>
internal sealed record GatewaySettings(string Network, string? Revision, NetworkLabelChange LabelChange, string? LabelledNetwork)
{
    /// <summary>
    /// The mesh id label the installed gateway already carries, used when the input names no mesh id (a CSV row or a
    /// MeshCluster instead of an environment): applying without it would drop the label, so every switch between the
    /// two pipelines reported Configured (docs/design/cluster-picking.md).
    /// </summary>
    public string? InstalledMeshId { get; init; }
}

/// <summary>What has to happen to istio-system's topology.istio.io/network label.</summary>
internal enum NetworkLabelChange
{
    None,
    Add,
    Overwrite,
}

internal static class GatewaySettingsResolver
{
    /// <summary>Annotation recording that the module added the network label (so uninstall may remove it again).</summary>
    public const string LabelAddedAnnotation = "hybridmesh.io/network-label";

    /// <summary>Offline: both values known without asking the cluster (-ManifestOnly with -Network and -Revision).</summary>
    public static GatewaySettings? Offline(MeshTarget target, GatewayInstallRequest request)
    {
        var network = request.Network ?? target.Network;
        var revision = request.Revision ?? target.Revision;
        return network is not null && revision is not null
            ? new GatewaySettings(network, NormaliseRevision(revision), NetworkLabelChange.None, null)
            : null;
    }

    public static async Task<GatewaySettings> ResolveAsync(KubeSession session, MeshTarget target,
        GatewayInstallRequest request, IMeshSink sink, CancellationToken cancellationToken)
    {
        // Both reads are independent: sent together (docs/design/scale.md). The namespace decides first, as before.
        var installedRead = InstalledRevisionsAsync(session, cancellationToken);
        try
        {
            return await ResolveAsync(session, target, request, sink, installedRead, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A refusal before the revisions were needed: their read's own failure is not the one to report.
            _ = installedRead.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted,
                TaskScheduler.Default);
            throw;
        }
    }

    private static async Task<GatewaySettings> ResolveAsync(KubeSession session, MeshTarget target,
        GatewayInstallRequest request, IMeshSink sink, Task<IReadOnlyList<string>> installedRead,
        CancellationToken cancellationToken)
    {
        var ns = await session.GetAsync("v1", "Namespace", null, IstioNames.SystemNamespace, cancellationToken).ConfigureAwait(false)
                 ?? throw MeshErrors.IstioNamespaceMissing(session.Context, IstioNames.SystemNamespace);
        var labelled = Text(ns["metadata"]?["labels"]?[ManifestLabels.NetworkKey]);
        var requested = request.Network ?? target.Network;

        string network;
        NetworkLabelChange change;
        if (requested is null)
        {
            network = labelled ?? throw MeshErrors.NetworkUnknown(session.Context);
            change = NetworkLabelChange.None;
        }
        else if (labelled is null)
        {
            network = requested;
            change = NetworkLabelChange.Add;
        }
        else if (labelled == requested)
        {
            network = requested;
            change = NetworkLabelChange.None;
        }
        else if (request.Force)
        {
            network = requested;
            change = NetworkLabelChange.Overwrite;
        }
        else
        {
            throw MeshErrors.NetworkLabelMismatch(session.Context, labelled, requested);
        }

        var revision = request.Revision ?? target.Revision;
        var installed = await installedRead.ConfigureAwait(false);
        if (revision is null)
        {
            revision = installed.Count switch
            {
                0 => throw MeshErrors.RevisionNotFound(session.Context),
                1 => installed[0],
                _ => throw MeshErrors.RevisionAmbiguous(session.Context, installed),
            };
            sink.Verbose($"[{session.Context}] Using control-plane revision '{revision}', the only one installed.");
        }
        else if (!installed.Contains(revision, StringComparer.Ordinal))
        {
            sink.Warning($"[{session.Context}] No istiod of revision '{revision}' runs on this cluster (found: " +
                         $"{(installed.Count == 0 ? "none" : string.Join(", ", installed))}); the gateway pods stay on " +
                         "the placeholder image 'auto' until that revision's injector exists.");
        }

        string? installedMeshId = null;
        if (string.IsNullOrEmpty(request.Gateway.MeshId) && string.IsNullOrEmpty(target.MeshId))
        {
            var service = await GatewayAddress.ReadServiceAsync(session, request.Gateway.Namespace, cancellationToken)
                .ConfigureAwait(false);
            installedMeshId = Text(service?["metadata"]?["labels"]?[ManifestLabels.MeshIdKey]);
        }

        return new GatewaySettings(network, NormaliseRevision(revision), change, labelled) { InstalledMeshId = installedMeshId };
    }

    /// <summary>Revisions of the istiod Deployments in istio-system, sorted ("default" for an unrevisioned one).</summary>
    public static async Task<IReadOnlyList<string>> InstalledRevisionsAsync(KubeSession session, CancellationToken cancellationToken)
    {
        var istiods = await session.ListAsync("apps/v1", "Deployment", IstioNames.SystemNamespace, "app=istiod", cancellationToken)
            .ConfigureAwait(false);
        return istiods.Select(ClusterInspector.Revision).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The apply body that labels istio-system (and records that the module added the label).</summary>
    public static JsonObject LabelObject(string network, bool added)
    {
        var metadata = new JsonObject
        {
            ["name"] = IstioNames.SystemNamespace,
            ["labels"] = new JsonObject { [ManifestLabels.NetworkKey] = network },
        };
        if (added)
        {
            metadata["annotations"] = new JsonObject { [LabelAddedAnnotation] = "added" };
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = metadata };
    }

    // "default" is how an unrevisioned istiod reports itself; its gateway carries no istio.io/rev pod label.
    private static string? NormaliseRevision(string revision) =>
        revision.Length == 0 || revision == "default" ? null : revision;

    internal static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
