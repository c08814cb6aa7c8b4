using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace HybridMesh.Lab.Tests;

/// <summary>
/// The module's own client library (KubernetesClient, which negotiates HTTP/2) against a lab cluster, through the
/// kubeconfig file the lab wrote: the calls the Engine will make must round-trip.
/// </summary>
public sealed class KubernetesClientFidelityTests(LabFixture fx) : IClassFixture<LabFixture>
{
    private Kubernetes Client(LabSide which) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(which == LabSide.Gke ? fx.Gke.KubeconfigPath : fx.OnPrem.KubeconfigPath));

    public enum LabSide { Gke, OnPrem }

    [Fact]
    public async Task Lists_applies_reads_custom_objects_and_deletes()
    {
        using var client = Client(LabSide.OnPrem);
        var namespaces = await client.CoreV1.ListNamespaceAsync();
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "istio-system");

        var cm = new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "kc-applied", ["namespace"] = "default", ["labels"] = new JsonObject { ["app"] = "mesh" } },
            ["data"] = new JsonObject { ["k"] = "v" },
        };
        var applied = await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(cm.ToJsonString(), V1Patch.PatchType.ApplyPatch),
            "kc-applied", "default", fieldManager: "hybridmesh", force: true);
        Assert.Equal("v", applied.Data["k"]);
        Assert.Equal("hybridmesh", applied.Metadata.ManagedFields.Single().Manager);

        var gateways = await client.CustomObjects.ListNamespacedCustomObjectAsync("networking.istio.io", "v1beta1", "istio-system", "gateways");
        Assert.NotNull(gateways);

        var selected = await client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: "app=mesh");
        Assert.Equal("kc-applied", selected.Items.Single().Metadata.Name);

        var status = await client.CoreV1.DeleteNamespacedConfigMapAsync("kc-applied", "default");
        Assert.Equal("Success", status.Status);
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedConfigMapAsync("kc-applied", "default"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
    }

    [Fact]
    public async Task Token_request_and_access_review_round_trip()
    {
        using var client = Client(LabSide.Gke);
        var token = await client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec { ExpirationSeconds = 3600 },
        }, "istio-reader-service-account", "istio-system");
        Assert.False(string.IsNullOrEmpty(token.Status.Token));

        var review = await client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
        {
            Spec = new V1SelfSubjectAccessReviewSpec
            {
                ResourceAttributes = new V1ResourceAttributes { NamespaceProperty = "istio-system", Verb = "create", Resource = "secrets" },
            },
        });
        Assert.True(review.Status.Allowed);

        var version = await client.Version.GetCodeAsync();
        Assert.Equal("32", version.Minor);
    }

    [Fact]
    public async Task Watch_through_the_client_sees_the_load_balancer_address_arrive()
    {
        using var client = Client(LabSide.Gke);
        var svc = new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = "kc-lb", ["namespace"] = "default" },
            ["spec"] = new JsonObject
            {
                ["type"] = "LoadBalancer", ["selector"] = new JsonObject { ["istio"] = "eastwestgateway" },
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "tls", ["port"] = 15443 }),
            },
        };
        var created = await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(svc.ToJsonString(), V1Patch.PatchType.ApplyPatch),
            "kc-lb", "default", fieldManager: "hybridmesh", force: true);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? ip = created.Status?.LoadBalancer?.Ingress?.FirstOrDefault()?.Ip;
        if (ip is null)
        {
            var list = client.CoreV1.ListNamespacedServiceWithHttpMessagesAsync("default", fieldSelector: "metadata.name=kc-lb",
                resourceVersion: created.Metadata.ResourceVersion, watch: true, timeoutSeconds: 15, cancellationToken: cts.Token);
#pragma warning disable CS0618 // the list-with-watch=true form is what KubernetesClient 21 users write today
            await foreach (var (type, item) in list.WatchAsync<V1Service, V1ServiceList>(cancellationToken: cts.Token))
#pragma warning restore CS0618
            {
                ip = item.Status?.LoadBalancer?.Ingress?.FirstOrDefault()?.Ip;
                if (type == WatchEventType.Modified && ip is not null) break;
            }
        }
        Assert.True(IPAddress.TryParse(ip, out _), $"no address: {ip}");
    }
}
