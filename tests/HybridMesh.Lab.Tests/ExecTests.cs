using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Lab;
using HybridMesh.Lab.Api;
using k8s;

namespace HybridMesh.Lab.Tests;

/// <summary>pods/exec: the API server's checks (docs/design/kube-api-answers.md §10) and the pluggable simulated kubelet.</summary>
public sealed class ExecTests : IAsyncLifetime
{
    private LabHost _lab = null!;
    private LabCluster Cluster => _lab.Clusters[0];

    public async Task InitializeAsync() => _lab = await LabHost.StartAsync(new LabOptions { Clusters = 1, StartControlServer = false, Fleet = TestFleetKey.Options() });
    public async Task DisposeAsync()
    {
        await _lab.DisposeAsync();
        try { Directory.Delete(_lab.OutputDirectory, true); } catch (IOException) { }
    }

    private async Task<string> IstiodPod()
    {
        using var k = Kube.For(Cluster);
        string? name = null;
        await Kube.Eventually(async () =>
        {
            var pods = await k.Get("/api/v1/namespaces/istio-system/pods?labelSelector=app%3Distiod");
            name = (string?)pods.Body?["items"]?.AsArray().FirstOrDefault()?["metadata"]?["name"];
            return name is not null;
        }, "istiod pod");
        return name!;
    }

    [Fact]
    public async Task Checks_come_before_the_upgrade_in_the_recorded_order()
    {
        using var k = Kube.For(Cluster);
        const string query = "?command=pilot-discovery&command=request&command=GET&command=%2Fdebug%2Fclusterz&stdout=1&stderr=1";
        var missing = await k.Send(HttpMethod.Post, "/api/v1/namespaces/istio-system/pods/nope/exec" + query);
        Assert.Equal(404, missing.Code);
        Assert.Equal("pods \"nope\" not found", (string?)missing.Body!["message"]);

        var pod = await IstiodPod();
        var badContainer = await k.Send(HttpMethod.Post, $"/api/v1/namespaces/istio-system/pods/{pod}/exec{query}&container=nope");
        Assert.Equal(400, badContainer.Code);
        Assert.Equal($"container nope is not valid for pod {pod}", (string?)badContainer.Body!["message"]);
        var noUpgrade = await k.Send(HttpMethod.Post, $"/api/v1/namespaces/istio-system/pods/{pod}/exec{query}");
        Assert.Equal(400, noUpgrade.Code);
        Assert.Equal("Upgrade request required", (string?)noUpgrade.Body!["message"]);

        Assert.Equal(201, (await k.Post("/api/v1/namespaces/istio-system/pods", JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"istiod-pending"},
             "spec":{"nodeSelector":{"pool":"none-such"},"containers":[{"name":"discovery","image":"x:1"}]}}
            """)!)).Code);
        // No node matches its nodeSelector, so it never gets a host, however long the exec below takes to come.
        await Kube.Eventually(() => Task.FromResult((string?)Cluster.GetObject("v1", "Pod", "istio-system", "istiod-pending")?["status"]?["conditions"]?[0]?["reason"] == "Unschedulable"), "unschedulable pod");
        var pending = await k.Send(HttpMethod.Post, "/api/v1/namespaces/istio-system/pods/istiod-pending/exec" + query);
        Assert.Equal(400, pending.Code);
        Assert.Equal("pod istiod-pending does not have a host assigned", (string?)pending.Body!["message"]);

        using var viewer = Kube.For(Cluster, Cluster.AddUser("viewer"));
        var forbidden = await viewer.Send(HttpMethod.Get, $"/api/v1/namespaces/istio-system/pods/{pod}/exec{query}");
        Assert.Equal(403, forbidden.Code);
        Assert.Equal($"pods \"{pod}\" is forbidden: User \"viewer\" cannot get resource \"pods/exec\" in API group \"\" in the namespace \"istio-system\"",
            (string?)forbidden.Body!["message"]);
    }

    private async Task<(string? Protocol, List<byte[]> Frames)> RawExec(string pod, params string[] protocols)
    {
        using var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("Authorization", "Bearer " + Cluster.AdminToken);
        foreach (var p in protocols) ws.Options.AddSubProtocol(p);
        var ca = Cluster.CaCertificate;
        ws.Options.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.Issuer == ca.Subject;
        var uri = new Uri(Cluster.Server.Replace("https://", "wss://") + $"/api/v1/namespaces/istio-system/pods/{pod}/exec?command=pilot-discovery&command=request&command=GET&command=%2Fdebug%2Fclusterz&stdout=1&stderr=1");
        await ws.ConnectAsync(uri, CancellationToken.None);
        var frames = new List<byte[]>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer, CancellationToken.None);
            if (r.MessageType == WebSocketMessageType.Close) break;
            frames.Add(buffer[..r.Count]);
        }
        return (ws.SubProtocol, frames);
    }

    [Fact]
    public async Task Unreachable_kubelet_v5_gets_error_frames_and_v4_gets_500()
    {
        var pod = await IstiodPod();
        var (protocol, frames) = await RawExec(pod, "v5.channel.k8s.io", "v4.channel.k8s.io");
        Assert.Equal("v5.channel.k8s.io", protocol);
        Assert.Equal([1], frames[0]);
        Assert.Equal(3, frames[1][0]);
        var status = JsonNode.Parse(frames[1].AsSpan(1))!;
        Assert.Equal("InternalError", (string?)status["reason"]);
        Assert.Null(status["kind"]);

        var v4 = await Assert.ThrowsAsync<WebSocketException>(() => RawExec(pod, "v4.channel.k8s.io"));
        Assert.Contains("500", v4.Message);
    }

    [Fact]
    public async Task Exec_handler_output_reaches_kubernetes_client_and_kubectl()
    {
        var pod = await IstiodPod();
        Cluster.ExecHandler = (req, _) => Task.FromResult(req.Command.SequenceEqual(["echo", "hi"])
            ? new LabExecResult($"hi from {req.Pod}/{req.Container}\n")
            : new LabExecResult("", "unknown command\n", 127));
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(Cluster.KubeconfigPath));
        var stdout = new StringBuilder();
        var exit = await client.NamespacedPodExecAsync(pod, "istio-system", "discovery", ["echo", "hi"], false,
            async (_, o, _) => stdout.Append(await new StreamReader(o).ReadToEndAsync()), CancellationToken.None);
        Assert.Equal(0, exit);
        Assert.Equal($"hi from {pod}/discovery\n", stdout.ToString());

        if (Kubectl.Path is null) return; // the KubernetesClient half above still ran
        var cache = Path.Combine(Path.GetTempPath(), "hm-kubectl-exec-" + Guid.NewGuid().ToString("N")[..8]);
        var kubectl = new Kubectl(Cluster.KubeconfigPath, cache);
        var ok = await kubectl.Run("exec", "-n", "istio-system", pod, "--", "echo", "hi");
        Assert.True(ok.Exit == 0, ok.Err);
        Assert.Equal($"hi from {pod}/discovery\n", ok.Out);
        var failed = await kubectl.Run("exec", "-n", "istio-system", pod, "--", "false");
        Assert.Equal(127, failed.Exit);
        Assert.Contains("unknown command", failed.Err);
        try { Directory.Delete(cache, true); } catch (IOException) { }
    }
}
