using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Engine.Steps.Links;
using HybridMesh.Engine.Tests.Mesh;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Links;

/// <summary>Get-MeshLink's inventory and Test-MeshConnectivity's token-age warning, against the lab.</summary>
public sealed class LinkInventoryTests
{
    [Fact]
    public async Task A_missing_and_a_stale_link_are_reported_and_the_rest_described()
    {
        await using var lab = await MeshLab.StartAsync(3);
        await LinkTestKit.NewMeshAsync(lab);
        var (c0, c1, c2) = (lab.Clusters[0], lab.Clusters[1], lab.Clusters[2]);
        // Missing: c1 no longer holds the secret that lets its istiod read c0.
        Assert.True(c1.DeleteObject("v1", "Secret", "istio-system", "istio-remote-secret-" + c0.ClusterId));
        // Stale: what asmcli leaves in c2 for c1, named after c1's kubeconfig context, pointing at the same server.
        var asmcliName = c1.Context.Replace('_', '-').Replace('@', '-').Replace('.', '-').ToLowerInvariant();
        var kubeconfig = $"apiVersion: v1\nkind: Config\nclusters:\n- name: {asmcliName}\n  cluster:\n    server: {c1.Server}\n" +
                         $"contexts:\n- name: {asmcliName}\n  context: {{cluster: {asmcliName}, user: {asmcliName}}}\ncurrent-context: {asmcliName}\n" +
                         $"users:\n- name: {asmcliName}\n  user: {{token: not-a-jwt}}\n";
        c2.PutObject(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Secret",
            ["metadata"] = new JsonObject
            {
                ["name"] = "istio-remote-secret-" + asmcliName, ["namespace"] = "istio-system",
                ["labels"] = new JsonObject { ["istio/multiCluster"] = "true" },
            },
            ["data"] = new JsonObject { [asmcliName] = Convert.ToBase64String(Encoding.UTF8.GetBytes(kubeconfig)) },
        });
        foreach (var cluster in lab.Clusters) cluster.RequestLog.Clear();

        var sink = new RecordingSink();
        var links = await LinkInventory.GetAsync(LinkTestKit.Inventory(lab), sink, default);

        Assert.Empty(sink.Errors);
        Assert.Equal(7, links.Count);
        var missing = Assert.Single(links, l => l.State == MeshLinkState.Missing);
        Assert.Equal((c0.ClusterId, c1.ClusterId), (missing.Source, missing.Target));
        Assert.Null(missing.SecretName);
        var stale = Assert.Single(links, l => l.State == MeshLinkState.Stale);
        Assert.Equal((c1.ClusterId, c2.ClusterId, "istio-remote-secret-" + asmcliName), (stale.Source, stale.Target, stale.SecretName));
        Assert.Equal(MeshTokenKind.Unknown, stale.TokenKind);
        Assert.Contains("-RemoveStale", stale.Detail);

        var linked = links.Where(l => l.State == MeshLinkState.Linked).ToArray();
        Assert.Equal(5, linked.Length);
        foreach (var link in linked)
        {
            var source = lab.Clusters.Single(c => c.ClusterId == link.Source);
            Assert.Equal("istio-remote-secret-" + source.ClusterId, link.SecretName);
            Assert.Equal(source.ClusterId, link.SecretKey);
            Assert.Equal(MeshTokenKind.LegacySecret, link.TokenKind);
            Assert.Equal("istio-system/istio-reader-service-account", link.ServiceAccount);
            Assert.Equal("istio-reader-service-account-istio-remote-secret-token", link.TokenSecret);
            Assert.Null(link.TokenExpires);
            Assert.True(link.TokenAge >= TimeSpan.Zero && link.TokenAge < TimeSpan.FromMinutes(5));
            Assert.Equal("hybridmesh", link.SecretFieldManager);
            Assert.NotNull(link.SecretLastWrite);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(source.CaCertificate.RawData)), link.CaFingerprint);
            var token = lab.ReaderToken(source)!;
            Assert.Equal(16, link.TokenFingerprint!.Length);
            Assert.StartsWith(link.TokenFingerprint, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token))), StringComparison.OrdinalIgnoreCase);
            Assert.Null(link.SyncStatus);
        }

        // Reads only, and no token in what was said.
        Assert.All(lab.Clusters.SelectMany(c => c.RequestLog.Entries), e => Assert.Equal("GET", e.Method));
        foreach (var cluster in lab.Clusters) Assert.DoesNotContain(lab.ReaderToken(cluster)!, sink.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_token_secret_shows_as_revoked()
    {
        await using var lab = await MeshLab.StartAsync(2);
        await LinkTestKit.NewMeshAsync(lab);
        var c0 = lab.Clusters[0];
        c0.DeleteObject("v1", "Secret", "istio-system", "istio-reader-service-account-istio-remote-secret-token");

        var links = await LinkInventory.GetAsync(LinkTestKit.Inventory(lab), new RecordingSink(), default);
        var revoked = Assert.Single(links, l => l.Source == c0.ClusterId);
        Assert.Equal(MeshLinkState.TokenRevoked, revoked.State);
        Assert.Contains("Update-MeshLinkCredential", revoked.Detail);
        Assert.Equal(MeshLinkState.Linked, Assert.Single(links, l => l.Target == c0.ClusterId).State);
    }

    [Fact]
    public async Task An_unreachable_cluster_marks_only_its_links()
    {
        await using var lab = await MeshLab.StartAsync(3);
        await LinkTestKit.NewMeshAsync(lab);
        var down = lab.Clusters[2];
        down.Faults.Add(new HybridMesh.Lab.Faults.FaultRule { Kind = HybridMesh.Lab.Faults.FaultKind.Reset });

        var sink = new RecordingSink();
        var links = await LinkInventory.GetAsync(LinkTestKit.Inventory(lab), sink, default);
        Assert.Equal(6, links.Count);
        var touching = links.Where(l => l.SourceContext == down.Context || l.TargetContext == down.Context).ToArray();
        Assert.Equal(4, touching.Length);
        Assert.All(touching, l => Assert.Equal(MeshLinkState.Unreachable, l.State));
        Assert.All(links.Except(touching), l => Assert.Equal(MeshLinkState.Linked, l.State));
        Assert.Contains(sink.Warnings, w => w.Contains(down.Context, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bound_token_shows_its_expiry_and_expires()
    {
        await using var lab = await MeshLab.StartAsync(2);
        await LinkTestKit.NewMeshAsync(lab);
        var (c0, c1) = (lab.Clusters[0], lab.Clusters[1]);
        // A remote secret written by hand with a TokenRequest token (what `kubectl create token` prints): it expires.
        var bound = c0.CreateServiceAccountToken("istio-system", "istio-reader-service-account", TimeSpan.FromHours(1));
        c1.PutObject(HybridMesh.Engine.Manifests.RemoteSecretRenderer.Render(new HybridMesh.Engine.Manifests.RemoteSecretSource(c0.ClusterId, c0.Server,
            Encoding.UTF8.GetBytes(c0.CaCertificatePem), bound)));

        var links = await LinkInventory.GetAsync(LinkTestKit.Inventory(lab), new RecordingSink(), default);
        var link = Assert.Single(links, l => l.Source == c0.ClusterId);
        Assert.Equal(MeshLinkState.Linked, link.State);
        Assert.Equal(MeshTokenKind.BoundTokenRequest, link.TokenKind);
        Assert.Equal("istio-system/istio-reader-service-account", link.ServiceAccount);
        Assert.Null(link.TokenSecret);
        Assert.InRange(link.TokenExpires!.Value - link.TokenCreated!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));

        var request = LinkTestKit.Inventory(lab);
        var later = await LinkInventory.GetAsync(new LinkInventoryRequest
        {
            Targets = request.Targets, Kube = request.Kube, Clock = new ShiftedClock(TimeSpan.FromHours(2)),
        }, new RecordingSink(), default);
        Assert.Equal(MeshLinkState.TokenExpired, Assert.Single(later, l => l.Source == c0.ClusterId).State);
    }

    [Fact]
    public async Task Test_MeshConnectivity_warns_about_old_reader_tokens()
    {
        await using var lab = await MeshLab.StartAsync(2);
        await LinkTestKit.NewMeshAsync(lab);
        var targets = lab.Request().Targets;
        var kube = lab.Request().Kube;

        var now = await MeshChecker.RunAsync(targets, new MeshCheckOptions { Kube = kube, ReaderTokenMaxAge = TimeSpan.FromDays(30) }, new RecordingSink());
        Assert.DoesNotContain(now, c => c.Check == ReaderTokenAgeChecks.Check);

        var later = await MeshChecker.RunAsync(targets, new MeshCheckOptions
        {
            Kube = kube, ReaderTokenMaxAge = TimeSpan.FromDays(30), Clock = new ShiftedClock(TimeSpan.FromDays(45)),
        }, new RecordingSink());
        var warnings = later.Where(c => c.Check == ReaderTokenAgeChecks.Check).ToArray();
        Assert.Equal(2, warnings.Length);
        Assert.All(warnings, w => Assert.Equal(MeshCheckStatus.Warning, w.Status));
        Assert.All(warnings, w => Assert.Contains("45 days old (limit 30 days)", w.Detail));
        Assert.All(warnings, w => Assert.Contains("Update-MeshLinkCredential", w.RecommendedAction));
    }
}
