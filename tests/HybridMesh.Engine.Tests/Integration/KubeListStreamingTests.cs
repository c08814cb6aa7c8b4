using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;

namespace HybridMesh.Engine.Tests.Integration;

/// <summary>
/// Lists are read from the stream item by item (KubeListPage, KubeListItemReader; docs/design/scale.md "Memory"):
/// against a lab API server, through the real client, the items must read as before, long values read twice must be
/// one string (a fleet's remote secrets repeat the same kubeconfigs), and the server-side narrowing must hold.
/// </summary>
public sealed class KubeListStreamingTests(LabFixture fx) : IClassFixture<LabFixture>
{
    private static readonly KubeSessionOptions Fast = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly string _ns = "kls-" + Guid.NewGuid().ToString("N")[..6];

    private async Task<KubeSession> WithSecrets(string longValue)
    {
        var session = KubeSession.Open([fx.Gke.KubeconfigPath], fx.Gke.Context, Fast);
        await session.ApplyAsync(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = _ns } });
        foreach (var name in new[] { "first", "second" })
        {
            await session.ApplyAsync(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Secret",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = _ns, ["labels"] = new JsonObject { ["istio/multiCluster"] = "true" } },
                ["type"] = "Opaque",
                ["data"] = new JsonObject { ["peer"] = longValue, ["short"] = "c2hvcnQ=" },
            });
        }

        await session.ApplyAsync(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ServiceAccount", ["metadata"] = new JsonObject { ["name"] = "reader", ["namespace"] = _ns },
        });
        await session.ApplyAsync(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Secret",
            ["metadata"] = new JsonObject
            {
                ["name"] = "reader-token", ["namespace"] = _ns,
                ["annotations"] = new JsonObject { ["kubernetes.io/service-account.name"] = "reader" },
            },
            ["type"] = "kubernetes.io/service-account-token",
        });
        return session;
    }

    private static string LongValue() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3000));

    [Fact]
    public async Task Items_read_as_stored_and_a_long_value_read_twice_is_one_string()
    {
        var value = LongValue();
        using var session = await WithSecrets(value);

        var listed = (await session.ListAsync("v1", "Secret", _ns, "istio/multiCluster=true")).ToArray();

        Assert.Equal(["first", "second"], listed.Select(s => (string?)s["metadata"]!["name"]));
        Assert.All(listed, s => Assert.Equal(("v1", "Secret"), ((string?)s["apiVersion"], (string?)s["kind"])));
        Assert.All(listed, s => Assert.Equal(value, (string?)s["data"]!["peer"]));
        Assert.Same((string?)listed[0]["data"]!["peer"], (string?)listed[1]["data"]!["peer"]);
        // Without skipBookkeeping the items keep them, as the server sent them.
        Assert.All(listed, s => Assert.NotEmpty(s["metadata"]!["managedFields"]!.AsArray()));
        // Numbers stay numbers of any width the reader asks for.
        await session.ApplyAsync(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Service", ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = _ns },
            ["spec"] = new JsonObject { ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 8080 }) },
        });
        var port = (await session.ListAsync("v1", "Service", _ns)).Single()["spec"]!["ports"]![0]!["port"]!;
        Assert.Equal(8080, port.GetValue<int>());
        Assert.Equal(8080L, port.GetValue<long>());
    }

    [Fact]
    public async Task Managed_fields_are_left_out_on_request_and_the_type_field_selector_narrows_on_the_server()
    {
        using var session = await WithSecrets(LongValue());
        fx.Gke.RequestLog.Clear();

        var lean = await session.ListAsync("v1", "Secret", _ns, cancellationToken: default, skipBookkeeping: true);
        var tokens = await session.ListAsync("v1", "Secret", _ns, cancellationToken: default, fieldSelector: "type=kubernetes.io/service-account-token");

        Assert.Equal(3, lean.Count);
        Assert.All(lean, s => Assert.Null(s["metadata"]!["managedFields"]));
        // The server's other bookkeeping is left out too; what rules read stays.
        Assert.All(lean, s => Assert.Null(s["metadata"]!["uid"]));
        Assert.All(lean, s => Assert.Null(s["metadata"]!["resourceVersion"]));
        Assert.All(lean, s => Assert.Null(s["metadata"]!["creationTimestamp"]));
        Assert.All(lean, s => Assert.NotNull(s["metadata"]!["name"]));
        Assert.Equal(["reader-token"], tokens.Select(s => (string?)s["metadata"]!["name"]));
        Assert.Contains(fx.Gke.RequestLog.Entries, e => e.Method == "GET" && e.Query.Contains("fieldSelector=type%3Dkubernetes.io%2Fservice-account-token"));
    }
}
