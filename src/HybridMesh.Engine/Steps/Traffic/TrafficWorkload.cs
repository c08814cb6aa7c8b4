using System.Globalization;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;

namespace HybridMesh.Engine.Steps.Traffic;

/// <summary>
/// docs/design/verification.md as objects: namespace labelled for the cluster's revision, Service helloworld (in every cluster, so
/// the name resolves), Deployment helloworld-v&lt;i&gt; (cluster i only), and the sleep client.
/// </summary>
internal static class TrafficWorkload
{
    public const string Service = "helloworld";
    public const string Client = "sleep";
    public const int Port = 5000;

    public static string Version(int index) => "v" + index.ToString(CultureInfo.InvariantCulture);

    public static IReadOnlyList<JsonObject> Render(TrafficOptions options, int index, string? revision)
    {
        var ns = options.Namespace;
        var version = Version(index);
        var nsLabels = Labels(revision is { Length: > 0 } && revision != "default"
            ? new() { [ManifestLabels.RevisionKey] = revision }
            : new() { ["istio-injection"] = "enabled" });
        return
        [
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns, ["labels"] = nsLabels } },
            new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Service",
                ["metadata"] = Meta(Service, ns, new() { ["app"] = Service, ["service"] = Service }),
                ["spec"] = new JsonObject
                {
                    ["ports"] = new JsonArray(new JsonObject { ["port"] = Port, ["name"] = "http" }),
                    ["selector"] = new JsonObject { ["app"] = Service },
                },
            },
            Deployment($"{Service}-{version}", ns, new() { ["app"] = Service, ["version"] = version }, new JsonObject
            {
                ["name"] = Service,
                ["image"] = options.HelloworldImage.Replace("{0}", version, StringComparison.Ordinal),
                ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "100m" } },
                ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = Port }),
                ["env"] = new JsonArray(new JsonObject { ["name"] = "SERVICE_VERSION", ["value"] = version }),
            }, serviceAccount: null),
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ServiceAccount", ["metadata"] = Meta(Client, ns, new()) },
            new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Service",
                ["metadata"] = Meta(Client, ns, new() { ["app"] = Client, ["service"] = Client }),
                ["spec"] = new JsonObject
                {
                    ["ports"] = new JsonArray(new JsonObject { ["port"] = 80, ["name"] = "http" }),
                    ["selector"] = new JsonObject { ["app"] = Client },
                },
            },
            Deployment(Client, ns, new() { ["app"] = Client }, new JsonObject
            {
                ["name"] = Client,
                ["image"] = options.ClientImage,
                ["command"] = new JsonArray("/bin/sleep", "infinity"),
            }, serviceAccount: Client),
        ];
    }

    private static JsonObject Deployment(string name, string ns, Dictionary<string, string> podLabels, JsonObject container,
        string? serviceAccount)
    {
        var podSpec = new JsonObject { ["containers"] = new JsonArray(container) };
        if (serviceAccount is not null) podSpec["serviceAccountName"] = serviceAccount;
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1", ["kind"] = "Deployment",
            ["metadata"] = Meta(name, ns, new(podLabels)),
            ["spec"] = new JsonObject
            {
                ["replicas"] = 1,
                ["selector"] = new JsonObject { ["matchLabels"] = Labels(podLabels) },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = Labels(podLabels) },
                    ["spec"] = podSpec,
                },
            },
        };
    }

    private static JsonObject Meta(string name, string ns, Dictionary<string, string> labels)
    {
        labels[ManifestLabels.ManagedByKey] = ManifestLabels.ManagedByValue;
        return new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = Labels(labels) };
    }

    private static JsonObject Labels(Dictionary<string, string> labels)
    {
        var result = new JsonObject();
        foreach (var (k, v) in labels) result[k] = v;
        return result;
    }
}
