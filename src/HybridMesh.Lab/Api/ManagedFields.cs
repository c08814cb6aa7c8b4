using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Api;

/// <summary>One managedFields entry, parsed: who owns which fields, through which operation and subresource.</summary>
public sealed class ManagerEntry
{
    public required string Manager { get; init; }
    public required string Operation { get; init; }
    public required string ApiVersion { get; set; }
    public string? Time { get; set; }
    public string? Subresource { get; init; }
    public HashSet<string> Fields { get; set; } = new(StringComparer.Ordinal);

    public bool SameOwner(string manager, string operation, string? subresource) =>
        Manager == manager && Operation == operation && Subresource == subresource;

    /// <summary>How an apply conflict names this manager: Update managers with their API version.</summary>
    public string ConflictName => Operation == "Apply" ? $"\"{Manager}\"" : $"\"{Manager}\" using {ApiVersion.Split('/')[^1]}";
}

/// <summary>Reads and writes metadata.managedFields (simplified ownership: see FieldPaths).</summary>
public static class ManagedFields
{
    public static List<ManagerEntry> Read(JsonObject? obj)
    {
        var list = new List<ManagerEntry>();
        if (obj?["metadata"]?["managedFields"] is not JsonArray arr) return list;
        foreach (var e in arr.OfType<JsonObject>())
        {
            list.Add(new ManagerEntry
            {
                Manager = (string?)e["manager"] ?? "",
                Operation = (string?)e["operation"] ?? "Update",
                ApiVersion = (string?)e["apiVersion"] ?? "v1",
                Time = (string?)e["time"],
                Subresource = (string?)e["subresource"],
                Fields = FieldPaths.FromFieldsV1(e["fieldsV1"] as JsonObject),
            });
        }
        return list;
    }

    /// <summary>
    /// Writes the entries back. Fields that no longer exist are dropped first, and a manager left owning nothing
    /// disappears, as the API server does after a PUT or a forced apply.
    /// </summary>
    public static void Write(JsonObject obj, List<ManagerEntry> entries, bool custom)
    {
        var arr = new JsonArray();
        foreach (var e in entries)
        {
            e.Fields.RemoveWhere(p => !FieldPaths.Exists(obj, p) && !p.StartsWith("stringData", StringComparison.Ordinal));
            if (e.Fields.Count == 0) continue;
            var dots = e.Operation == "Update" || custom
                ? (Func<IReadOnlyList<string>, bool>)(seg => !(seg.Count == 1 && seg[0] is "metadata" or "spec" or "status") || (custom && seg[0] != "metadata"))
                : _ => false;
            var entry = new JsonObject();
            if (custom)
            {
                // Custom resources come back with alphabetically sorted keys (docs/design/kube-api-answers.md §2.6, §4.8).
                entry["apiVersion"] = e.ApiVersion;
                entry["fieldsType"] = "FieldsV1";
                entry["fieldsV1"] = FieldPaths.ToFieldsV1(e.Fields, obj, dots);
                entry["manager"] = e.Manager;
                entry["operation"] = e.Operation;
                if (e.Subresource is not null) entry["subresource"] = e.Subresource;
                if (e.Time is not null) entry["time"] = e.Time;
            }
            else
            {
                entry["manager"] = e.Manager;
                entry["operation"] = e.Operation;
                entry["apiVersion"] = e.ApiVersion;
                if (e.Time is not null) entry["time"] = e.Time;
                entry["fieldsType"] = "FieldsV1";
                entry["fieldsV1"] = FieldPaths.ToFieldsV1(e.Fields, obj, dots);
                if (e.Subresource is not null) entry["subresource"] = e.Subresource;
            }
            arr.Add(entry);
        }
        var meta = (JsonObject)obj["metadata"]!;
        if (arr.Count > 0) meta["managedFields"] = arr;
        else meta.Remove("managedFields");
    }

    /// <summary>Fields the API server's registry sets on create (not defaulting): never owned by the writer (docs/design/kube-api-answers.md §3.1, §5.1).</summary>
    private static bool ServerAllocated(string? kind, string path) => (kind, FieldPaths.Display(path)) switch
    {
        ("Namespace", ".spec.finalizers") => true,
        ("Service", ".spec.clusterIP" or ".spec.clusterIPs" or ".spec.ipFamilies" or ".spec.ipFamilyPolicy") => true,
        ("Deployment", ".spec.template.metadata.creationTimestamp") => true,
        _ => false,
    };

    /// <summary>
    /// Records a non-apply write: the manager takes every field whose value it set or changed, other managers lose
    /// those fields (an Update never conflicts).
    /// </summary>
    public static void RecordUpdate(JsonObject? before, JsonObject after, JsonObject? sent, string manager, string apiVersion, string? subresource, string now, bool custom)
    {
        var entries = Read(before);
        var oldLeaves = before is null ? new HashSet<string>() : FieldPaths.Leaves(before);
        var changed = new HashSet<string>(StringComparer.Ordinal);
        // Fields the client sent (not server defaults) are what the manager takes over.
        foreach (var p in FieldPaths.Leaves(sent ?? after))
        {
            if (!FieldPaths.Exists(after, p) || ServerAllocated((string?)after["kind"], p)) continue;
            if (subresource == "status" ? !p.StartsWith("status", StringComparison.Ordinal) : p.StartsWith("status", StringComparison.Ordinal)) continue;
            if (!oldLeaves.Contains(p) || !FieldPaths.ValueEquals(FieldPaths.Get(before!, p), FieldPaths.Get(after, p))) changed.Add(p);
        }
        if (changed.Count > 0)
        {
            foreach (var e in entries) e.Fields.ExceptWith(changed);
            var mine = entries.FirstOrDefault(e => e.SameOwner(manager, "Update", subresource));
            if (mine is null)
            {
                mine = new ManagerEntry { Manager = manager, Operation = "Update", ApiVersion = apiVersion, Subresource = subresource };
                entries.Add(mine);
            }
            mine.Fields.UnionWith(changed);
            mine.Time = now;
            mine.ApiVersion = apiVersion;
        }
        Write(after, entries, custom);
    }
}
