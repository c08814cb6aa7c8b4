using System.Globalization;
using System.Text.Json.Nodes;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Api;

/// <summary>
/// meta.k8s.io/v1 Table answers, which kubectl asks for on `get` (Accept: ...;as=Table;...): the columns kubectl
/// prints for the kinds the runbook shows (namespaces, pods, services, deployments, configmaps, secrets,
/// serviceaccounts), Name/Age for everything else. Rows carry PartialObjectMetadata, as includeObject=Metadata does.
/// </summary>
internal static class TableConverter
{
    public static bool Wanted(string accept) => accept.Contains("as=Table", StringComparison.Ordinal);

    private sealed record Column(string Name, string Type, string Description, int Priority, Func<JsonObject, JsonNode?> Cell, string Format = "");

    public static JsonObject Convert(ResourceType t, IReadOnlyList<JsonObject> objects, string resourceVersion, DateTimeOffset now)
    {
        var columns = Columns(t, now);
        var defs = new JsonArray();
        foreach (var c in columns)
            defs.Add(new JsonObject
            {
                ["name"] = c.Name, ["type"] = c.Type, ["format"] = c.Format, ["description"] = c.Description, ["priority"] = c.Priority,
            });
        var rows = new JsonArray();
        foreach (var o in objects)
        {
            var meta = (JsonObject)(o["metadata"]?.DeepClone() ?? new JsonObject());
            rows.Add(new JsonObject
            {
                ["cells"] = new JsonArray(columns.Select(c => c.Cell(o)).ToArray()),
                ["object"] = new JsonObject { ["kind"] = "PartialObjectMetadata", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = meta },
            });
        }
        return new JsonObject
        {
            ["kind"] = "Table", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
            ["columnDefinitions"] = defs, ["rows"] = rows,
        };
    }

    private static List<Column> Columns(ResourceType t, DateTimeOffset now)
    {
        var name = new Column("Name", "string", "Name must be unique within a namespace.", 0, o => (string?)o["metadata"]?["name"], "name");
        var age = new Column("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0,
            o => Age((string?)o["metadata"]?["creationTimestamp"], now));
        if (t.IsCustom) return [name, age];
        return t.Plural switch
        {
            "namespaces" => [name, new("Status", "string", "The status of the namespace", 0, o => (string?)o["status"]?["phase"]), age],
            "pods" =>
            [
                name,
                new("Ready", "string", "The aggregate readiness state of this pod for accepting traffic.", 0, PodReady),
                new("Status", "string", "The aggregate status of the containers in this pod.", 0, o => (string?)o["status"]?["phase"]),
                new("Restarts", "string", "The number of times the containers in this pod have been restarted.", 0,
                    o => ((o["status"]?["containerStatuses"] as JsonArray) ?? []).Sum(c => (int?)c?["restartCount"] ?? 0).ToString(CultureInfo.InvariantCulture)),
                age,
                new("IP", "string", "IP address allocated to the pod.", 1, o => (string?)o["status"]?["podIP"] ?? "<none>"),
                new("Node", "string", "Name of the Node this pod runs on.", 1, o => (string?)o["spec"]?["nodeName"] ?? "<none>"),
            ],
            "services" =>
            [
                name,
                new("Type", "string", "The type of service.", 0, o => (string?)o["spec"]?["type"]),
                new("Cluster-IP", "string", "The cluster IP of the service.", 0, o => (string?)o["spec"]?["clusterIP"] ?? "<none>"),
                new("External-IP", "string", "The external IP of the service.", 0, ExternalIp),
                new("Port(s)", "string", "The ports of the service.", 0, Ports),
                age,
                new("Selector", "string", "The selector of the service.", 1, o => Selector(o["spec"]?["selector"] as JsonObject)),
            ],
            "deployments" =>
            [
                name,
                new("Ready", "string", "Number of the pod with ready state", 0,
                    o => $"{(int?)o["status"]?["readyReplicas"] ?? 0}/{(int?)o["spec"]?["replicas"] ?? 0}"),
                new("Up-to-date", "integer", "Total number of non-terminated pods targeted by this deployment that have the desired template spec.", 0,
                    o => (int?)o["status"]?["updatedReplicas"] ?? 0),
                new("Available", "integer", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.", 0,
                    o => (int?)o["status"]?["availableReplicas"] ?? 0),
                age,
                new("Containers", "string", "Names of each container in the template.", 1,
                    o => string.Join(",", ((o["spec"]?["template"]?["spec"]?["containers"] as JsonArray) ?? []).Select(c => (string?)c?["name"]))),
                new("Images", "string", "Images referenced by each container in the template.", 1,
                    o => string.Join(",", ((o["spec"]?["template"]?["spec"]?["containers"] as JsonArray) ?? []).Select(c => (string?)c?["image"]))),
                new("Selector", "string", "Label selector for pods.", 1, o => Selector(o["spec"]?["selector"]?["matchLabels"] as JsonObject)),
            ],
            "configmaps" => [name, new("Data", "integer", "Number of keys in the data.", 0, o => Count(o["data"]) + Count(o["binaryData"])), age],
            "secrets" =>
            [
                name, new("Type", "string", "The type of secret", 0, o => (string?)o["type"]),
                new("Data", "integer", "Number of items in the secret", 0, o => Count(o["data"])), age,
            ],
            "serviceaccounts" => [name, new("Secrets", "string", "Secrets is a list of the secrets in the same namespace.", 0, o => Count(o["secrets"])), age],
            _ => [name, age],
        };
    }

    private static int Count(JsonNode? n) => n switch { JsonObject o => o.Count, JsonArray a => a.Count, _ => 0 };

    private static JsonNode PodReady(JsonObject o)
    {
        var statuses = (o["status"]?["containerStatuses"] as JsonArray) ?? [];
        var total = ((o["spec"]?["containers"] as JsonArray) ?? []).Count;
        return $"{statuses.Count(s => (bool?)s?["ready"] == true)}/{total}";
    }

    private static JsonNode ExternalIp(JsonObject o)
    {
        var ips = ((o["status"]?["loadBalancer"]?["ingress"] as JsonArray) ?? []).Select(i => (string?)i?["ip"] ?? (string?)i?["hostname"])
            .Concat(((o["spec"]?["externalIPs"] as JsonArray) ?? []).Select(i => (string?)i)).Where(s => s is not null).ToList();
        if (ips.Count > 0) return string.Join(",", ips);
        return (string?)o["spec"]?["type"] == "LoadBalancer" ? "<pending>" : "<none>";
    }

    private static JsonNode Ports(JsonObject o)
    {
        var ports = ((o["spec"]?["ports"] as JsonArray) ?? []).OfType<JsonObject>().Select(p =>
            p["nodePort"] is not null ? $"{p["port"]}:{p["nodePort"]}/{(string?)p["protocol"]}" : $"{p["port"]}/{(string?)p["protocol"]}").ToList();
        return ports.Count == 0 ? "<none>" : string.Join(",", ports);
    }

    private static JsonNode Selector(JsonObject? labels) =>
        labels is null || labels.Count == 0 ? "<none>" : string.Join(",", labels.Select(kv => $"{kv.Key}={(string?)kv.Value}"));

    /// <summary>kubectl's short age format: 45s, 7m15s, 42m, 5h3m, 26h, 12d.</summary>
    public static string Age(string? created, DateTimeOffset now)
    {
        if (created is null || !DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return "<unknown>";
        var d = now - t;
        if (d < TimeSpan.Zero) d = TimeSpan.Zero;
        if (d.TotalSeconds < 120) return $"{(int)d.TotalSeconds}s";
        if (d.TotalMinutes < 10) return d.Seconds == 0 ? $"{(int)d.TotalMinutes}m" : $"{(int)d.TotalMinutes}m{d.Seconds}s";
        if (d.TotalHours < 3) return $"{(int)d.TotalMinutes}m";
        if (d.TotalHours < 8) return d.Minutes == 0 ? $"{(int)d.TotalHours}h" : $"{(int)d.TotalHours}h{d.Minutes}m";
        if (d.TotalHours < 48) return $"{(int)d.TotalHours}h";
        return $"{(int)d.TotalDays}d";
    }
}
