using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>The session end to end: kubeconfig → client → retry handler → a fake API server on 127.0.0.1.</summary>
public sealed class KubeSessionTests : IDisposable
{
    private const string Context = "lab-ctx";
    private readonly KubeTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static readonly KubeSessionOptions Quick = new()
    {
        Timeout = TimeSpan.FromSeconds(5),
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RetryMaxDelay = TimeSpan.FromMilliseconds(50),
    };

    private KubeSession Open(FakeApiServer server, KubeSessionOptions? options = null) =>
        KubeSession.Open([_files.TokenConfig("kubeconfig.yaml", Context, server.Url)], Context, options ?? Quick);

    /// <summary>Discovery answers first, then <paramref name="objects"/> for everything else.</summary>
    private static FakeApiServer Serve(Func<FakeRequest, FakeReply> objects) =>
        FakeApiServer.Start(request => CannedApi.Discovery(request) ?? objects(request));

    private static string ConfigMap(string resourceVersion, string value) => """
        {"kind": "ConfigMap", "apiVersion": "v1",
         "metadata": {"name": "ssa1", "namespace": "demo", "uid": "5b0e", "resourceVersion": "@RV",
                      "creationTimestamp": "2026-01-01T00:00:00Z", "labels": {"app": "mesh"},
                      "managedFields": [{"manager": "hybridmesh", "operation": "Apply", "apiVersion": "v1",
                        "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:k": {}}}}]},
         "data": {"k": "@VALUE"}}
        """.Replace("@RV", resourceVersion).Replace("@VALUE", value);

    private static JsonObject Desired(string value = "v1") => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = "ssa1", ["namespace"] = "demo", ["labels"] = new JsonObject { ["app"] = "mesh" } },
        ["data"] = new JsonObject { ["k"] = value },
    };

    [Fact]
    public async Task A_GET_carries_the_bearer_token_and_a_429_then_200_is_retried()
    {
        var calls = 0;
        await using var server = Serve(r => r.Path == "/api/v1/namespaces/demo/configmaps/ssa1"
            ? Interlocked.Increment(ref calls) == 1
                ? FakeReply.Json(429, """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Too many requests, please try again later.","reason":"TooManyRequests","code":429}""")
                : FakeReply.Json(200, ConfigMap("326", "v1"))
            : FakeReply.NotFound("things", r.Path));
        using var session = Open(server);

        var found = await session.GetAsync("v1", "ConfigMap", "demo", "ssa1");

        Assert.Equal("v1", found?["data"]?["k"]?.GetValue<string>());
        Assert.Equal(2, server.Count("GET", "/api/v1/namespaces/demo/configmaps/ssa1"));
        Assert.All(server.Requests, r => Assert.Equal("Bearer " + KubeTestFiles.Token, r.Header("Authorization")));
    }

    [Fact]
    public async Task A_dropped_connection_is_retried()
    {
        var calls = 0;
        await using var server = FakeApiServer.Start(_ => Interlocked.Increment(ref calls) == 1 ? FakeReply.Reset : FakeReply.Json(200, CannedApi.Version));
        using var session = Open(server);

        Assert.Equal("v1.32.13", await session.GetServerVersionAsync());
        Assert.True(server.Count("GET", "/version") == 2, string.Join(" ; ", server.Requests.Select(r => r.Method + " " + r.Target)));
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_fails_within_the_timeout_as_ApiServerUnreachable()
    {
        await using var server = FakeApiServer.Start(_ => FakeReply.Hang);
        using var session = Open(server, Quick with { Timeout = TimeSpan.FromSeconds(1) });
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<KubeUnreachableException>(() => session.GetServerVersionAsync());

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(3));
        Assert.Equal("ApiServerUnreachable", error.ErrorId);
        Assert.Equal(MeshErrorCategory.ConnectionError, error.Category);
        Assert.Equal(Context, error.Target);
        Assert.Contains("-TimeoutSec", error.RecommendedAction);
        Assert.Contains("VPN", error.RecommendedAction);
        Assert.DoesNotContain(KubeTestFiles.Token, error.Message + error.RecommendedAction);
    }

    [Fact]
    public async Task A_port_where_nothing_listens_is_ApiServerUnreachable_after_bounded_retries()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var file = _files.TokenConfig("closed.yaml", Context, $"http://127.0.0.1:{port}");
        using var session = KubeSession.Open([file], Context, Quick);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<KubeUnreachableException>(() => session.GetServerVersionAsync());

        Assert.Equal("ApiServerUnreachable", error.ErrorId);
        Assert.Contains("4 attempt(s)", error.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_401_is_KubeUnauthorized_without_the_token()
    {
        await using var server = FakeApiServer.Start(_ => FakeReply.Json(401, CannedApi.Unauthorized));
        using var session = Open(server);

        var error = await Assert.ThrowsAsync<KubeUnauthorizedException>(() => session.GetServerVersionAsync());

        Assert.Equal("KubeUnauthorized", error.ErrorId);
        Assert.Equal(MeshErrorCategory.AuthenticationError, error.Category);
        Assert.Single(server.Requests);
        Assert.DoesNotContain(KubeTestFiles.Token, error.Message + error.RecommendedAction);
    }

    [Fact]
    public async Task A_403_is_KubeForbidden_naming_verb_resource_and_namespace()
    {
        await using var server = Serve(_ => FakeReply.Json(403, """
            {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
             "message": "gateways.networking.istio.io \"cross-network-gateway\" is forbidden: User \"viewer\" cannot patch resource \"gateways\" in API group \"networking.istio.io\" in the namespace \"istio-system\"",
             "reason": "Forbidden", "details": {"name": "cross-network-gateway", "group": "networking.istio.io", "kind": "gateways"}, "code": 403}
            """));
        using var session = Open(server);
        var gateway = new JsonObject
        {
            ["apiVersion"] = "networking.istio.io/v1",
            ["kind"] = "Gateway",
            ["metadata"] = new JsonObject { ["name"] = "cross-network-gateway", ["namespace"] = "istio-system" },
        };

        var error = await Assert.ThrowsAsync<KubeForbiddenException>(() => session.ApplyAsync(gateway, force: true));

        Assert.Equal("KubeForbidden", error.ErrorId);
        Assert.Equal(MeshErrorCategory.PermissionDenied, error.Category);
        Assert.Contains("may not get gateways.networking.istio.io in namespace 'istio-system'", error.Message);
        Assert.Contains("kubectl auth can-i", error.RecommendedAction);
    }

    [Fact]
    public async Task A_persistent_plain_text_503_is_KubeServerError_with_the_attempt_count()
    {
        await using var server = FakeApiServer.Start(r => r.Path == "/apis/metrics.k8s.io/v1beta1"
            ? FakeReply.Text(503, "service unavailable\n")
            : FakeReply.Json(404, "{}"));
        using var session = Open(server);

        var error = await Assert.ThrowsAsync<MeshException>(() => session.ResolveAsync("metrics.k8s.io/v1beta1", "PodMetrics"));

        Assert.Equal("KubeServerError", error.ErrorId);
        Assert.Contains("service unavailable", error.Message);
        Assert.Contains("4 attempt(s)", error.Message);
        Assert.Equal(4, server.Count("GET", "/apis/metrics.k8s.io/v1beta1"));
    }

    [Fact]
    public async Task Apply_of_a_new_object_answered_201_is_Created_and_sends_a_server_side_apply_patch()
    {
        await using var server = Serve(r => r.Method switch
        {
            "GET" => FakeReply.NotFound("configmaps", "ssa1"),
            "PATCH" => FakeReply.Json(201, ConfigMap("326", "v1")),
            _ => FakeReply.Json(405, "{}"),
        });
        using var session = Open(server);

        var result = await session.ApplyAsync(Desired(), force: true);

        Assert.Equal(ApplyOutcome.Created, result.Outcome);
        Assert.Equal("326", result.Object["metadata"]?["resourceVersion"]?.GetValue<string>());
        var patch = Assert.Single(server.Requests, r => r.Method == "PATCH");
        Assert.Equal("/api/v1/namespaces/demo/configmaps/ssa1", patch.Path);
        Assert.Equal("fieldManager=hybridmesh&force=true", patch.Query);
        Assert.StartsWith("application/apply-patch+yaml", patch.Header("Content-Type"));
        Assert.True(JsonNode.DeepEquals(Desired(), JsonNode.Parse(patch.Body)));
    }

    [Fact]
    public async Task Apply_that_changes_the_resourceVersion_is_Configured()
    {
        await using var server = Serve(r => r.Method == "GET"
            ? FakeReply.Json(200, ConfigMap("326", "v1"))
            : FakeReply.Json(200, ConfigMap("330", "v2")));
        using var session = Open(server);

        var result = await session.ApplyAsync(Desired("v2"));

        Assert.Equal(ApplyOutcome.Configured, result.Outcome);
        Assert.Equal("fieldManager=hybridmesh", Assert.Single(server.Requests, r => r.Method == "PATCH").Query);
    }

    [Fact]
    public async Task Apply_that_keeps_the_resourceVersion_is_Unchanged()
    {
        await using var server = Serve(_ => FakeReply.Json(200, ConfigMap("326", "v1")));
        using var session = Open(server);

        var result = await session.ApplyAsync(Desired());

        Assert.Equal(ApplyOutcome.Unchanged, result.Outcome);
    }

    [Fact]
    public async Task A_dry_run_apply_compares_content_since_the_server_keeps_the_resourceVersion()
    {
        await using var server = Serve(r => r.Method == "GET"
            ? FakeReply.Json(200, ConfigMap("332", "v1"))
            : FakeReply.Json(200, ConfigMap("332", r.Body.Contains("\"v2\"") ? "v2" : "v1")));
        using var session = Open(server);

        var change = await session.ApplyAsync(Desired("v2"), dryRun: true);
        var same = await session.ApplyAsync(Desired("v1"), dryRun: true);

        Assert.Equal(ApplyOutcome.Configured, change.Outcome);
        Assert.Equal(ApplyOutcome.Unchanged, same.Outcome);
        Assert.All(server.Requests.Where(r => r.Method == "PATCH"), r => Assert.Contains("dryRun=All", r.Query));
    }

    [Fact]
    public async Task An_apply_conflict_is_KubeConflict_suggesting_Force()
    {
        await using var server = Serve(r => r.Method == "GET"
            ? FakeReply.Json(200, ConfigMap("329", "v1"))
            : FakeReply.Json(409, """
                {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                 "message": "Apply failed with 1 conflict: conflict with \"other-tool\": .data.owner", "reason": "Conflict",
                 "details": {"causes": [{"reason": "FieldManagerConflict", "message": "conflict with \"other-tool\"", "field": ".data.owner"}]},
                 "code": 409}
                """));
        using var session = Open(server);

        var error = await Assert.ThrowsAsync<KubeConflictException>(() => session.ApplyAsync(Desired()));

        Assert.Equal("KubeConflict", error.ErrorId);
        Assert.Contains("other-tool", error.Message);
        Assert.Contains("-Force", error.RecommendedAction);
        Assert.Equal(1, server.Count("PATCH", "/api/v1/namespaces/demo/configmaps/ssa1"));
    }

    [Fact]
    public async Task Get_of_a_missing_object_is_null_and_Delete_of_a_missing_object_is_false()
    {
        await using var server = Serve(r => r.Path.EndsWith("/gone", StringComparison.Ordinal)
            ? FakeReply.NotFound("configmaps", "gone")
            : FakeReply.Json(200, """{"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": {"name": "there", "kind": "configmaps", "uid": "1"}}"""));
        using var session = Open(server);

        Assert.Null(await session.GetAsync("v1", "ConfigMap", "demo", "gone"));
        Assert.False(await session.DeleteAsync("v1", "configmaps", "demo", "gone"));
        Assert.True(await session.DeleteAsync("v1", "ConfigMap", "demo", "there", propagationPolicy: "Background"));
        Assert.Contains(server.Requests, r => r is { Method: "DELETE", Target: "/api/v1/namespaces/demo/configmaps/there?propagationPolicy=Background" });
    }

    [Fact]
    public async Task Create_posts_to_the_collection_and_an_existing_object_is_KubeAlreadyExists()
    {
        var created = false;
        await using var server = Serve(r =>
        {
            if (r.Method != "POST")
            {
                return FakeReply.Json(405, "{}");
            }

            if (!created)
            {
                created = true;
                return FakeReply.Json(201, ConfigMap("268", "v1"));
            }

            return FakeReply.Json(409, """{"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "configmaps \"ssa1\" already exists", "reason": "AlreadyExists", "details": {"name": "ssa1", "kind": "configmaps"}, "code": 409}""");
        });
        using var session = Open(server);

        var first = await session.CreateAsync(Desired());
        var error = await Assert.ThrowsAsync<KubeAlreadyExistsException>(() => session.CreateAsync(Desired()));

        Assert.Equal("268", first["metadata"]?["resourceVersion"]?.GetValue<string>());
        Assert.Equal("KubeAlreadyExists", error.ErrorId);
        Assert.All(server.Requests.Where(r => r.Method == "POST"), r =>
            Assert.Equal("/api/v1/namespaces/demo/configmaps?fieldManager=hybridmesh", r.Target));
    }

    [Fact]
    public async Task Merge_patch_sends_merge_patch_json_to_the_subresource()
    {
        await using var server = Serve(_ => FakeReply.Json(200, """{"kind": "Service", "apiVersion": "v1", "metadata": {"name": "gw", "namespace": "istio-system"}, "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.10"}]}}}"""));
        using var session = Open(server);
        var patch = JsonNode.Parse("""{"status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.10"}]}}}""")!.AsObject();

        var result = await session.MergePatchAsync("v1", "Service", "istio-system", "gw", patch, subresource: "status");

        Assert.Equal("192.0.2.10", result["status"]?["loadBalancer"]?["ingress"]?[0]?["ip"]?.GetValue<string>());
        var sent = Assert.Single(server.Requests, r => r.Method == "PATCH");
        Assert.Equal("/api/v1/namespaces/istio-system/services/gw/status?fieldManager=hybridmesh", sent.Target);
        Assert.StartsWith("application/merge-patch+json", sent.Header("Content-Type"));
    }

    [Fact]
    public async Task List_follows_continue_tokens_and_fills_in_kind_and_apiVersion()
    {
        await using var server = Serve(r => r.Query.Contains("continue=")
            ? FakeReply.Json(200, """{"kind": "SecretList", "apiVersion": "v1", "metadata": {"resourceVersion": "263"}, "items": [{"metadata": {"name": "b", "namespace": "istio-system"}, "type": "Opaque"}]}""")
            : FakeReply.Json(200, """{"kind": "SecretList", "apiVersion": "v1", "metadata": {"resourceVersion": "263", "continue": "eyJ2IjoxfQ", "remainingItemCount": 1}, "items": [{"metadata": {"name": "a", "namespace": "istio-system"}, "type": "Opaque"}]}"""));
        using var session = Open(server);

        var items = await session.ListAsync("v1", "Secret", "istio-system", "istio/multiCluster=true");

        Assert.Equal(["a", "b"], items.Select(i => i["metadata"]?["name"]?.GetValue<string>()));
        Assert.All(items, i => Assert.Equal(("v1", "Secret"), (i["apiVersion"]?.GetValue<string>(), i["kind"]?.GetValue<string>())));
        var first = server.Requests.First(r => r.Path == "/api/v1/namespaces/istio-system/secrets");
        Assert.Equal("labelSelector=istio%2FmultiCluster%3Dtrue&limit=500", first.Query);
    }
}
