using System.Text.Json.Nodes;
using HybridMesh.Engine.Kube;
using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Tests.Kube;

/// <summary>
/// Transport conditions arrive as their own exception types, so callers catch a type rather than compare id strings;
/// to PowerShell each is still a MeshException with one stable id and category.
/// </summary>
public sealed class KubeExceptionTypeTests : IDisposable
{
    private const string Context = "typed-ctx";
    private readonly KubeTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task A_404_is_a_KubeNotFoundException_with_its_id()
    {
        // Creating in a namespace that does not exist: the API server answers 404 for the namespace.
        await using var server = FakeApiServer.Start(r => CannedApi.Discovery(r) ?? FakeReply.NotFound("namespaces", "demo"));
        using var session = KubeSession.Open([_files.TokenConfig("kubeconfig.yaml", Context, server.Url)], Context,
            new KubeSessionOptions { Timeout = TimeSpan.FromSeconds(5) });

        var configMap = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "c1", ["namespace"] = "demo" },
        };

        var error = await Assert.ThrowsAsync<KubeNotFoundException>(() => session.CreateAsync(configMap));

        Assert.Equal("KubeNotFound", error.ErrorId);
        Assert.Equal(MeshErrorCategory.ObjectNotFound, error.Category);
        Assert.Equal(Context, error.Target);
    }

    public static TheoryData<string, Type, string, MeshErrorCategory> Factories => new()
    {
        { "404", typeof(KubeNotFoundException), "KubeNotFound", MeshErrorCategory.ObjectNotFound },
        { "403", typeof(KubeForbiddenException), "KubeForbidden", MeshErrorCategory.PermissionDenied },
        { "401", typeof(KubeUnauthorizedException), "KubeUnauthorized", MeshErrorCategory.AuthenticationError },
        { "409", typeof(KubeConflictException), "KubeConflict", MeshErrorCategory.InvalidOperation },
        { "409 AlreadyExists", typeof(KubeAlreadyExistsException), "KubeAlreadyExists", MeshErrorCategory.ResourceExists },
        { "no answer", typeof(KubeUnreachableException), "ApiServerUnreachable", MeshErrorCategory.ConnectionError },
        { "TLS", typeof(KubeTlsFailedException), "ApiServerTlsFailed", MeshErrorCategory.ConnectionError },
    };

    [Theory]
    [MemberData(nameof(Factories))]
    public void Each_condition_has_one_type_one_id_and_one_category(string condition, Type type, string id, MeshErrorCategory category)
    {
        MeshException error = condition switch
        {
            "404" => MeshErrors.KubeNotFound(Context, "get x", "not found"),
            "403" => MeshErrors.KubeForbidden(Context, "get", "secrets", "istio-system", "forbidden"),
            "401" => MeshErrors.KubeUnauthorized(Context, "token"),
            "409" => MeshErrors.KubeConflict(Context, "update x", "conflict", isApply: false),
            "409 AlreadyExists" => MeshErrors.KubeAlreadyExists(Context, "create x", "exists"),
            "no answer" => MeshErrors.ApiServerUnreachable(Context, "https://127.0.0.1:9", "refused", null),
            _ => MeshErrors.ApiServerTlsFailed(Context, "https://127.0.0.1:9", "untrusted", null),
        };

        Assert.IsType(type, error);
        Assert.Equal(id, error.ErrorId);
        Assert.Equal(category, error.Category);
        Assert.Equal(Context, error.Target);
        // A TLS failure is a kind of unreachable server: one catch handles both, as New-Mesh and the checks do.
        Assert.Equal(condition is "no answer" or "TLS", error is KubeUnreachableException);
    }
}
