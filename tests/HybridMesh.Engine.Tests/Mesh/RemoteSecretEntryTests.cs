using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Check;
using HybridMesh.Engine.Steps.Mesh;

namespace HybridMesh.Engine.Tests.Mesh;

/// <summary>
/// A snapshot keeps remote secrets as compact entries (docs/design/scale.md, "What a snapshot keeps"); New-Mesh
/// decides "current" on them exactly as on the Secret itself: labels, the cluster annotation and the whole data.
/// </summary>
public sealed class RemoteSecretEntryTests
{
    private static JsonObject Rendered() => RemoteSecretRenderer.Render(new RemoteSecretSource(
        "cluster1", "https://127.0.0.1:6443", Encoding.UTF8.GetBytes("not a real CA"), "reader-token") { Namespace = "istio-system" });

    private static RemoteSecretEntry Live(Action<JsonObject> change)
    {
        var secret = Rendered();
        secret["metadata"]!["resourceVersion"] = "17";
        secret["metadata"]!["labels"]!["team"] = "mesh";
        change(secret);
        return RemoteSecretEntry.From(secret);
    }

    [Fact]
    public void The_same_secret_with_the_servers_own_fields_is_current()
    {
        var entry = Live(_ => { });

        Assert.True(RemoteSecrets.IsCurrent(entry, Rendered()));
        Assert.Equal("istio-remote-secret-cluster1", entry.Name);
        Assert.Equal(["cluster1"], RemoteSecrets.ClusterNames(entry).Distinct());
    }

    [Theory]
    [InlineData("label")]
    [InlineData("annotation")]
    [InlineData("value")]
    [InlineData("extra key")]
    [InlineData("no data")]
    [InlineData("number")]
    public void Any_difference_New_Mesh_writes_is_not_current(string difference)
    {
        var entry = Live(secret =>
        {
            var data = secret["data"]!.AsObject();
            switch (difference)
            {
                case "label": secret["metadata"]!["labels"]![RemoteSecretRenderer.MultiClusterLabel] = "false"; break;
                case "annotation": secret["metadata"]!["annotations"]![RemoteSecretRenderer.ClusterAnnotation] = "other"; break;
                case "value": data["cluster1"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("stale")); break;
                case "extra key": data["cluster9"] = data["cluster1"]!.GetValue<string>(); break;
                case "no data": secret.Remove("data"); break;
                case "number": data["cluster1"] = 42; break;
            }
        });

        Assert.False(RemoteSecrets.IsCurrent(entry, Rendered()));
        Assert.False(RemoteSecrets.IsCurrent(null, Rendered()));
    }
}
