using System.Text.Json.Nodes;
using HybridMesh.Lab.Auth;
using HybridMesh.Lab.Server;

namespace HybridMesh.Lab.Api;

/// <summary>
/// Create-only virtual resources: SelfSubjectAccessReview, SelfSubjectRulesReview, SelfSubjectReview, TokenReview,
/// and the serviceaccounts/token subresource (TokenRequest). Nothing is stored; answers are 201 (docs/design/kube-api-answers.md §7.7-§8.2).
/// </summary>
internal sealed class ReviewHandler(ClusterRuntime rt)
{
    public ApiResult Review(ApiRequest req, RequestTarget t)
    {
        var body = ResourceHandler.ParseBody(req) as JsonObject ?? throw KubeStatus.BadRequest("the object provided is unrecognized");
        var spec = body["spec"] as JsonObject ?? new JsonObject();
        var result = new JsonObject { ["kind"] = t.Type.Kind, ["apiVersion"] = t.Type.ApiVersion };
        switch (t.Type.Plural)
        {
            case "selfsubjectaccessreviews":
                result["metadata"] = new JsonObject { ["creationTimestamp"] = null, ["managedFields"] = ReviewManagedFields(req, t, spec) };
                result["spec"] = spec.DeepClone();
                result["status"] = AccessReview(req.User, spec);
                break;
            case "selfsubjectrulesreviews":
                result["metadata"] = new JsonObject { ["creationTimestamp"] = null };
                result["spec"] = new JsonObject();
                result["status"] = RulesReview(req.User, (string?)spec["namespace"]);
                break;
            case "selfsubjectreviews":
                result["metadata"] = new JsonObject { ["creationTimestamp"] = rt.Now() };
                result["status"] = new JsonObject { ["userInfo"] = UserInfoJson(req.User) };
                break;
            case "tokenreviews":
                result["metadata"] = new JsonObject { ["creationTimestamp"] = null };
                result["spec"] = spec.DeepClone();
                var token = (string?)spec["token"] ?? "";
                var user = token.Length == 0 ? null : rt.Authenticator.Authenticate("Bearer " + token);
                result["status"] = user is null
                    ? new JsonObject { ["user"] = new JsonObject(), ["error"] = "invalid bearer token" }
                    : new JsonObject
                    {
                        ["authenticated"] = true, ["user"] = UserInfoJson(user),
                        ["audiences"] = new JsonArray(TokenIssuer.Issuer),
                    };
                break;
        }
        return new ApiResult(201, result);
    }

    private JsonArray ReviewManagedFields(ApiRequest req, RequestTarget t, JsonObject spec)
    {
        var wrapper = new JsonObject { ["spec"] = spec.DeepClone() };
        return new JsonArray(new JsonObject
        {
            ["manager"] = req.Manager, ["operation"] = "Update", ["apiVersion"] = t.Type.ApiVersion, ["time"] = rt.Now(),
            ["fieldsType"] = "FieldsV1", ["fieldsV1"] = FieldPaths.ToFieldsV1(FieldPaths.Leaves(wrapper), wrapper, seg => seg.Count > 1),
        });
    }

    private JsonObject AccessReview(UserInfo user, JsonObject spec)
    {
        RequestAttributes attrs;
        if (spec["resourceAttributes"] is JsonObject ra)
        {
            var ns = (string?)ra["namespace"];
            attrs = new RequestAttributes((string?)ra["verb"] ?? "", true, (string?)ra["group"] ?? "", (string?)ra["resource"] ?? "",
                (string?)ra["subresource"] ?? "", string.IsNullOrEmpty(ns) ? null : ns, string.IsNullOrEmpty((string?)ra["name"]) ? null : (string?)ra["name"], "");
        }
        else if (spec["nonResourceAttributes"] is JsonObject nra)
            attrs = new RequestAttributes((string?)nra["verb"] ?? "", false, "", "", "", null, null, (string?)nra["path"] ?? "");
        else
            throw KubeStatus.Invalid("SelfSubjectAccessReview", "authorization.k8s.io", "",
                [new("FieldValueRequired", "spec.resourceAttributes", "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified")]);
        var (allowed, reason) = rt.Authorizer.Authorize(user, attrs);
        var status = new JsonObject { ["allowed"] = allowed };
        if (reason is not null) status["reason"] = reason;
        return status;
    }

    private JsonObject RulesReview(UserInfo user, string? ns)
    {
        var rules = rt.Authorizer.RulesFor(user, ns);
        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        foreach (var r in rules)
        {
            if (r["nonResourceURLs"] is JsonArray urls)
                nonResourceRules.Add(new JsonObject { ["verbs"] = r["verbs"]?.DeepClone(), ["nonResourceURLs"] = urls.DeepClone() });
            else
            {
                var rr = new JsonObject
                {
                    ["verbs"] = r["verbs"]?.DeepClone(), ["apiGroups"] = r["apiGroups"]?.DeepClone(), ["resources"] = r["resources"]?.DeepClone(),
                };
                if (r["resourceNames"] is JsonArray names) rr["resourceNames"] = names.DeepClone();
                resourceRules.Add(rr);
            }
        }
        return new JsonObject { ["resourceRules"] = resourceRules, ["nonResourceRules"] = nonResourceRules, ["incomplete"] = false };
    }

    public static JsonObject UserInfoJson(UserInfo user)
    {
        var o = new JsonObject { ["username"] = user.Name };
        if (user.Uid is not null) o["uid"] = user.Uid;
        o["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode?)g).ToArray());
        if (user.Extra is { Count: > 0 })
            o["extra"] = new JsonObject(user.Extra.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonArray(kv.Value.Select(v => (JsonNode?)v).ToArray()))));
        return o;
    }

    /// <summary>POST serviceaccounts/NAME/token (docs/design/kube-api-answers.md §7.7): a bound JWT valid for expirationSeconds (default 3600, minimum 600).</summary>
    public ApiResult TokenRequest(ApiRequest req, RequestTarget t)
    {
        var body = ResourceHandler.ParseBody(req) as JsonObject ?? new JsonObject();
        var spec = body["spec"] as JsonObject ?? new JsonObject();
        var sa = rt.Store.Get("serviceaccounts", t.Namespace, t.Name!) ?? throw KubeStatus.NotFound("serviceaccounts", "", t.Name!);
        var seconds = (long?)spec["expirationSeconds"] ?? 3600;
        if (seconds < 600)
            throw KubeStatus.Invalid("TokenRequest", "authentication.k8s.io", null,
                [new("FieldValueInvalid", "spec.expirationSeconds", $"Invalid value: {seconds}: may not specify a duration less than 10 minutes")]);
        var audiences = spec["audiences"] is JsonArray { Count: > 0 } a ? (JsonArray)a.DeepClone() : new JsonArray(TokenIssuer.Issuer);
        var now = rt.Clock.GetUtcNow();
        var iat = now.ToUnixTimeSeconds();
        var saUid = (string?)sa["metadata"]?["uid"];
        var claims = new JsonObject
        {
            ["aud"] = audiences.DeepClone(), ["exp"] = iat + seconds, ["iat"] = iat, ["iss"] = TokenIssuer.Issuer,
            ["jti"] = Guid.NewGuid().ToString(),
            ["kubernetes.io"] = new JsonObject
            {
                ["namespace"] = t.Namespace,
                ["serviceaccount"] = new JsonObject { ["name"] = t.Name, ["uid"] = saUid },
            },
            ["nbf"] = iat, ["sub"] = $"system:serviceaccount:{t.Namespace}:{t.Name}",
        };
        var token = rt.Issuer.Sign(claims);
        var sent = new JsonObject { ["spec"] = spec.DeepClone() };
        var managed = new JsonObject
        {
            ["manager"] = req.Manager, ["operation"] = "Update", ["apiVersion"] = "authentication.k8s.io/v1", ["time"] = rt.Now(),
            ["fieldsType"] = "FieldsV1", ["fieldsV1"] = FieldPaths.ToFieldsV1(FieldPaths.Leaves(sent), sent, _ => false),
            ["subresource"] = "token",
        };
        var result = new JsonObject
        {
            ["kind"] = "TokenRequest", ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = t.Name, ["namespace"] = t.Namespace, ["creationTimestamp"] = rt.Now(), ["managedFields"] = new JsonArray(managed),
            },
            ["spec"] = new JsonObject { ["audiences"] = audiences, ["expirationSeconds"] = seconds, ["boundObjectRef"] = null },
            ["status"] = new JsonObject { ["token"] = token, ["expirationTimestamp"] = KubeTime.Format(now.AddSeconds(seconds)) },
        };
        return new ApiResult(201, result);
    }
}
