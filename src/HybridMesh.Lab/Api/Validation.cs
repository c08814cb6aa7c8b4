using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridMesh.Lab.Store;

namespace HybridMesh.Lab.Api;

/// <summary>The validations the module can trip, with the API server's messages (docs/design/kube-api-answers.md §3.3, §4.7, §6.5, §7.6).</summary>
public static partial class Validation
{
    private const string Rfc1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private const string Rfc1123LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    private const string QualifiedNameMessage =
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
    private const string LabelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();
    [GeneratedRegex(@"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedName();
    [GeneratedRegex(@"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    public static void Validate(ResourceType type, JsonObject obj, JsonObject? old)
    {
        var causes = new List<KubeStatus.Cause>();
        var meta = (JsonObject)obj["metadata"]!;
        var name = (string?)meta["name"] ?? "";
        var nameIsLabel = type.Plural is "namespaces" or "services";
        if (name.Length == 0)
            causes.Add(new("FieldValueRequired", "metadata.name", "Required value: name or generateName is required"));
        else if (type.Plural is "roles" or "clusterroles" or "rolebindings" or "clusterrolebindings")
        {
            // RBAC names are path segments, so only '/' and '%' are refused.
            if (name.Contains('/') || name.Contains('%'))
                causes.Add(new("FieldValueInvalid", "metadata.name", $"Invalid value: \"{name}\": may not contain '/'"));
        }
        else if (nameIsLabel ? !Label().IsMatch(name) || name.Length > 63 : !Subdomain().IsMatch(name) || name.Length > 253)
            causes.Add(new("FieldValueInvalid", "metadata.name", $"Invalid value: \"{name}\": {(nameIsLabel ? Rfc1123LabelMessage : Rfc1123SubdomainMessage)}"));

        if (meta["labels"] is JsonObject labels)
            foreach (var (k, v) in labels)
            {
                if (!ValidQualifiedKey(k))
                    causes.Add(new("FieldValueInvalid", "metadata.labels", $"Invalid value: \"{k}\": {QualifiedNameMessage}"));
                var value = v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v?.ToJsonString() ?? "";
                if (!LabelValue().IsMatch(value) || value.Length > 63)
                    causes.Add(new("FieldValueInvalid", "metadata.labels", $"Invalid value: \"{value}\": {LabelValueMessage}"));
            }
        if (meta["annotations"] is JsonObject annotations)
            foreach (var (k, _) in annotations)
                if (!ValidQualifiedKey(k))
                    causes.Add(new("FieldValueInvalid", "metadata.annotations", $"Invalid value: \"{k}\": {QualifiedNameMessage}"));

        switch (type.Plural)
        {
            case "secrets" when (string?)obj["type"] == "kubernetes.io/service-account-token":
                if (string.IsNullOrEmpty((string?)meta["annotations"]?["kubernetes.io/service-account.name"]))
                    causes.Add(new("FieldValueRequired", "metadata.annotations[kubernetes.io/service-account.name]", "Required value"));
                break;
            case "deployments" when type.Group == "apps":
                ValidateDeployment(obj, old, causes);
                break;
            case "services":
                ValidateServiceStatus(obj, causes);
                break;
        }
        if (causes.Count > 0) throw KubeStatus.Invalid(type.Kind, type.Group, name, causes);
    }

    private static bool ValidQualifiedKey(string key)
    {
        var slash = key.LastIndexOf('/');
        if (slash >= 0)
        {
            var prefix = key[..slash];
            var rest = key[(slash + 1)..];
            return prefix.Length > 0 && prefix.Length <= 253 && Subdomain().IsMatch(prefix) && rest.Length <= 63 && QualifiedName().IsMatch(rest);
        }
        return key.Length <= 63 && QualifiedName().IsMatch(key);
    }

    private static void ValidateDeployment(JsonObject obj, JsonObject? old, List<KubeStatus.Cause> causes)
    {
        var selector = obj["spec"]?["selector"] as JsonObject;
        if (selector is null)
        {
            causes.Add(new("FieldValueRequired", "spec.selector", "Required value"));
            return;
        }
        var templateLabels = obj["spec"]?["template"]?["metadata"]?["labels"] as JsonObject;
        if (!LabelSelector.FromObject(selector).Matches(templateLabels))
            causes.Add(new("FieldValueInvalid", "spec.template.metadata.labels",
                $"Invalid value: {GoMap(templateLabels)}: `selector` does not match template `labels`"));
        var oldSelector = old?["spec"]?["selector"];
        if (oldSelector is not null && !JsonNode.DeepEquals(oldSelector, selector))
            causes.Add(new("FieldValueInvalid", "spec.selector", $"Invalid value: {GoLabelSelector(selector)}: field is immutable"));
    }

    private static void ValidateServiceStatus(JsonObject obj, List<KubeStatus.Cause> causes)
    {
        if (obj["status"]?["loadBalancer"]?["ingress"] is not JsonArray ingress) return;
        for (var i = 0; i < ingress.Count; i++)
        {
            var ip = (string?)ingress[i]?["ip"];
            if (ip is not null && !System.Net.IPAddress.TryParse(ip, out _))
                causes.Add(new("FieldValueInvalid", $"status.loadBalancer.ingress[{i}].ip",
                    $"Invalid value: \"{ip}\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        }
    }

    /// <summary>Go's %#v of a LabelSelector, as the immutability message prints it (docs/design/kube-api-answers.md §4.7).</summary>
    private static string GoLabelSelector(JsonObject selector)
    {
        var expressions = selector["matchExpressions"] is JsonArray { Count: > 0 } me
            ? "[]v1.LabelSelectorRequirement{" + string.Join(", ", me.OfType<JsonObject>().Select(e =>
                $"v1.LabelSelectorRequirement{{Key:\"{(string?)e["key"]}\", Operator:\"{(string?)e["operator"]}\", Values:[]string{{{string.Join(", ", (e["values"] as JsonArray ?? []).Select(v => $"\"{(string?)v}\""))}}}}}")) + "}"
            : "[]v1.LabelSelectorRequirement(nil)";
        return $"v1.LabelSelector{{MatchLabels:{GoMap(selector["matchLabels"] as JsonObject)}, MatchExpressions:{expressions}}}";
    }

    private static string GoMap(JsonObject? map) =>
        map is null || map.Count == 0
            ? "map[string]string(nil)"
            : "map[string]string{" + string.Join(", ", map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"\"{kv.Key}\":\"{(string?)kv.Value}\"")) + "}";
}
