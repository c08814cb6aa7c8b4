using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>
/// One run scope for what Kubernetes reads share (docs/design/scale.md, "One scope per run"): the list readers'
/// strings and the parsed remote-secret kubeconfigs are shared across every read of the run, empty once it ends, and
/// nothing read (a token) stays referenced after the run or outside one.
/// </summary>
public sealed class KubeRunTests
{
    /// <summary>A kubeconfig long enough to be a long (hashed) list string.</summary>
    private static string LongKubeconfig(string token) => Convert.ToBase64String(Encoding.UTF8.GetBytes(
        "apiVersion: v1\nkind: Config\nusers:\n- name: reader\n  user:\n    token: " + token + "\n" + new string('#', 600)));

    /// <summary>A kubeconfig the client can build a configuration from.</summary>
    private static string Kubeconfig(string token) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: peer
          cluster:
            server: https://10.0.0.1
        users:
        - name: reader
          user:
            token: {token}
        contexts:
        - name: peer
          context:
            cluster: peer
            user: reader
        current-context: peer
        """));

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
    public async Task One_run_is_current_in_the_tasks_it_starts_and_an_inner_run_gives_way_to_the_outer_one()
    {
        Assert.Null(KubeRun.Current);
        using (var outer = KubeRun.Begin())
        {
            // MeshCmdlet.RunEngine's worker task inherits the run begun on the pipeline thread.
            Assert.Same(outer, await Task.Run(() => KubeRun.Current));
            using (var inner = KubeRun.Begin())
            {
                Assert.Same(inner, KubeRun.Current);
                Assert.NotSame(outer.Strings, inner.Strings);
                Assert.NotSame(outer.Kubeconfigs, inner.Kubeconfigs);
            }

            Assert.Same(outer, KubeRun.Current);
        }

        Assert.Null(KubeRun.Current);
    }

    [Fact]
    public async Task Ending_a_run_empties_both_its_strings_and_its_kubeconfigs()
    {
        var encoded = Kubeconfig("both-" + Guid.NewGuid());
        KubeRun run;
        using (run = KubeRun.Begin())
        {
            var page = await KubeListPage.ReadAsync(Answer(encoded, "s1"), skipBookkeeping: true, CancellationToken.None);
            Assert.NotNull(EmbeddedKubeconfig.Read((string)page!.Items![0]!["data"]!["peer"]!));
            Assert.True(run.Strings.Count > 0);
            Assert.Equal(1, run.Kubeconfigs.Count);
        }

        Assert.Equal(0, run.Strings.Count);
        Assert.Equal(0, run.Kubeconfigs.Count);
        // A read that still holds the ended run (a straggler task) keeps nothing in it.
        Assert.NotNull(run.Strings.Long(Encoding.UTF8.GetBytes(LongKubeconfig("late"))));
        run.Kubeconfigs.Add(encoded, "late", null);
        Assert.Equal((0, 0), (run.Strings.Count, run.Kubeconfigs.Count));
    }

    [Fact]
    public async Task Answers_of_one_run_share_strings_and_the_table_is_empty_when_the_run_ends()
    {
        var value = LongKubeconfig("run-token-" + Guid.NewGuid());
        KubeListPage? first, second;
        KubeRun run;
        using (run = KubeRun.Begin())
        {
            // Two clusters' answers in the same run.
            first = await KubeListPage.ReadAsync(Answer(value, "istio-remote-secret-a"), skipBookkeeping: true, CancellationToken.None);
            second = await KubeListPage.ReadAsync(Answer(value, "istio-remote-secret-a"), skipBookkeeping: true, CancellationToken.None);
            Assert.Same(run, KubeRun.Current);
            Assert.True(run.Strings.Count > 0);
        }

        Assert.Null(KubeRun.Current);
        Assert.Equal(0, run.Strings.Count);
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
    public async Task After_a_run_nothing_its_lists_read_stays_referenced()
    {
        var (token, pageOnly) = await ReadListsAndDropAsync();

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
    private static async Task<(WeakReference Run, WeakReference PageOnly)> ReadListsAndDropAsync()
    {
        WeakReference inRun;
        using (KubeRun.Begin())
        {
            var page = await KubeListPage.ReadAsync(Answer(LongKubeconfig("run-" + Guid.NewGuid()), "s1", "s2"), true, CancellationToken.None);
            inRun = new WeakReference((string?)page!.Items![1]!["data"]!["peer"]);
        }

        // Outside any run an answer is a run of its own, its strings shared by its items only.
        var alone = await KubeListPage.ReadAsync(Answer(LongKubeconfig("alone-" + Guid.NewGuid()), "s1", "s2"), false, CancellationToken.None);
        Assert.Same((string?)alone!.Items![0]!["data"]!["peer"], (string?)alone.Items[1]!["data"]!["peer"]);
        Assert.Null(KubeRun.Current);
        return (inRun, new WeakReference((string?)alone.Items[0]!["data"]!["peer"]));
    }

    [Fact]
    public void Copies_of_one_kubeconfig_are_parsed_and_stored_once_in_a_run_and_the_cache_is_empty_when_it_ends()
    {
        var token = "run-token-" + Guid.NewGuid();
        var encoded = Kubeconfig(token);
        var copy = new string(encoded.AsSpan()); // another instance with the same text, as two clusters' secrets are
        KubeRun run;
        using (run = KubeRun.Begin())
        {
            var first = EmbeddedKubeconfig.Read(encoded);
            Assert.NotNull(first);
            Assert.Equal(token, first.Token);
            Assert.Same(first, EmbeddedKubeconfig.Read(encoded));
            Assert.Same(first, EmbeddedKubeconfig.Read(copy)); // found by content
            Assert.Same(first, EmbeddedKubeconfig.Read(copy)); // now found by instance
            Assert.Equal(1, run.Kubeconfigs.Count);
            // A hit by content stores nothing new under the content (before: the entry was stored again).
            Assert.Equal(1, run.Kubeconfigs.ContentStores);
        }

        Assert.Null(KubeRun.Current);
        Assert.Equal(0, run.Kubeconfigs.Count);
    }

    [Fact]
    public void Outside_a_run_every_read_parses_and_nothing_stays_referenced()
    {
        var encoded = Kubeconfig("no-run-token-" + Guid.NewGuid());
        var parsed = ReadWeakly(encoded);
        Assert.NotSame(EmbeddedKubeconfig.Read(encoded), EmbeddedKubeconfig.Read(encoded));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(parsed.TryGetTarget(out _), "a kubeconfig read outside any run is still referenced");
    }

    [Fact]
    public void After_a_run_nothing_it_parsed_stays_referenced()
    {
        var encoded = Kubeconfig("ended-run-token-" + Guid.NewGuid());
        WeakReference<EmbeddedKubeconfig> parsed;
        using (KubeRun.Begin())
        {
            parsed = ReadWeakly(encoded);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(parsed.TryGetTarget(out _), "a kubeconfig parsed in an ended run is still referenced");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference<EmbeddedKubeconfig> ReadWeakly(string encoded) => new(EmbeddedKubeconfig.Read(encoded)!);
}
