using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>
/// The list readers' shared strings live for one run (docs/design/scale.md, "Shared strings, per run"): shared across
/// every answer of the run, empty once it ends, and nothing read stays referenced after it.
/// </summary>
public sealed class KubeListStringsTests
{
    private static string Kubeconfig(string token) => Convert.ToBase64String(Encoding.UTF8.GetBytes(
        "apiVersion: v1\nkind: Config\nusers:\n- name: reader\n  user:\n    token: " + token + "\n" + new string('#', 600)));

    private static StringContent Answer(string value, params string[] names) => new(new JsonObject
    {
        ["kind"] = "SecretList", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(),
        ["items"] = new JsonArray(names.Select(name => (JsonNode)new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = name, ["namespace"] = "istio-system",
                ["labels"] = new JsonObject { ["istio/multiCluster"] = "true" },
                ["annotations"] = new JsonObject { ["note"] = "grüße", ["quoted"] = "a\"b" },
            },
            ["data"] = new JsonObject { ["peer"] = value },
        }).ToArray()),
    }.ToJsonString(), Encoding.UTF8, "application/json");

    [Fact]
    public async Task Answers_of_one_run_share_strings_and_the_table_is_empty_when_the_run_ends()
    {
        var value = Kubeconfig("run-token-" + Guid.NewGuid());
        KubeListPage? first, second;
        KubeListStrings table;
        using (table = KubeListStrings.Begin())
        {
            // Two clusters' answers in the same run.
            first = await KubeListPage.ReadAsync(Answer(value, "istio-remote-secret-a"), skipBookkeeping: true, CancellationToken.None);
            second = await KubeListPage.ReadAsync(Answer(value, "istio-remote-secret-a"), skipBookkeeping: true, CancellationToken.None);
            Assert.Same(table, KubeListStrings.Current);
            Assert.True(table.Count > 0);
        }

        Assert.Null(KubeListStrings.Current);
        Assert.Equal(0, table.Count);
        var (a, b) = (first!.Items![0]!, second!.Items![0]!);
        Assert.Equal(value, (string?)a["data"]!["peer"]);
        Assert.Same((string?)a["data"]!["peer"], (string?)b["data"]!["peer"]);
        Assert.Same((string?)a["metadata"]!["name"], (string?)b["metadata"]!["name"]);
        Assert.Same((string?)a["metadata"]!["labels"]!["istio/multiCluster"], (string?)b["metadata"]!["labels"]!["istio/multiCluster"]);
        // Texts that are not shared (non-ASCII, escaped) still read as they were sent.
        Assert.Equal("grüße", (string?)b["metadata"]!["annotations"]!["note"]);
        Assert.Equal("a\"b", (string?)b["metadata"]!["annotations"]!["quoted"]);
    }

    [Fact]
    public async Task After_a_run_nothing_it_read_stays_referenced()
    {
        var (token, pageOnly) = await ReadAndDropAsync();

        for (var i = 0; i < 3 && (token.IsAlive || pageOnly.IsAlive); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        // Before, a process-wide table kept every long value (tokens included) until 16,384 others replaced it.
        Assert.False(token.IsAlive, "a kubeconfig read in an ended run is still referenced");
        Assert.False(pageOnly.IsAlive, "a kubeconfig read outside any run is still referenced");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<(WeakReference Run, WeakReference PageOnly)> ReadAndDropAsync()
    {
        WeakReference inRun;
        using (KubeListStrings.Begin())
        {
            var page = await KubeListPage.ReadAsync(Answer(Kubeconfig("run-" + Guid.NewGuid()), "s1", "s2"), true, CancellationToken.None);
            inRun = new WeakReference((string?)page!.Items![1]!["data"]!["peer"]);
        }

        // Outside any run an answer gets a table of its own, shared by its items only.
        var alone = await KubeListPage.ReadAsync(Answer(Kubeconfig("alone-" + Guid.NewGuid()), "s1", "s2"), false, CancellationToken.None);
        Assert.Same((string?)alone!.Items![0]!["data"]!["peer"], (string?)alone.Items[1]!["data"]!["peer"]);
        Assert.Null(KubeListStrings.Current);
        return (inRun, new WeakReference((string?)alone.Items[0]!["data"]!["peer"]));
    }
}
