using System.Text.Json.Nodes;

namespace HybridMesh.Lab.Tests;

/// <summary>Error bodies match the recorded API server's exactly (docs/design/kube-api-answers.md §2-§4, §7.6, §8).</summary>
public sealed class StatusBodyTests(LabFixture fx) : IClassFixture<LabFixture>
{
    private static JsonObject Cm(string name, string? ns = null, JsonObject? labels = null)
    {
        var meta = new JsonObject { ["name"] = name };
        if (ns is not null) meta["namespace"] = ns;
        if (labels is not null) meta["labels"] = labels;
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = meta, ["data"] = new JsonObject { ["k"] = "v1" } };
    }

    [Fact]
    public async Task Missing_namespace_and_missing_object_in_missing_namespace_are_404_with_plural_kind()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.Get("/api/v1/namespaces/missing-ns");
        Assert.Equal(404, ns.Code);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \"missing-ns\" not found",
             "reason":"NotFound","details":{"name":"missing-ns","kind":"namespaces"},"code":404}
            """), ns.Body), ns.Body!.ToJsonString());
        var cm = await k.Get("/api/v1/namespaces/missing-ns/configmaps/nope");
        Assert.Equal(404, cm.Code);
        Assert.Equal("configmaps \"nope\" not found", (string?)cm.Body!["message"]);
        Assert.Equal("configmaps", (string?)cm.Body["details"]!["kind"]);
    }

    [Fact]
    public async Task Create_twice_is_409_AlreadyExists_and_into_missing_namespace_is_404_about_the_namespace()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("status");
        Assert.Equal(201, (await k.Post($"/api/v1/namespaces/{ns}/configmaps", Cm("cm1"))).Code);
        var again = await k.Post($"/api/v1/namespaces/{ns}/configmaps", Cm("cm1"));
        Assert.Equal(409, again.Code);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"cm1\" already exists",
             "reason":"AlreadyExists","details":{"name":"cm1","kind":"configmaps"},"code":409}
            """), again.Body), again.Body!.ToJsonString());

        var nowhere = await k.Post("/api/v1/namespaces/nowhere/configmaps", Cm("cm1"));
        Assert.Equal(404, nowhere.Code);
        Assert.Equal("namespaces \"nowhere\" not found", (string?)nowhere.Body!["message"]);
        Assert.Equal("nowhere", (string?)nowhere.Body["details"]!["name"]);
    }

    [Fact]
    public async Task Invalid_name_and_label_key_give_422_with_kind_and_one_cause_each()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("status");
        var r = await k.Post($"/api/v1/namespaces/{ns}/configmaps", Cm("Bad_Name", labels: new JsonObject { ["a/b/c"] = "x" }));
        Assert.Equal(422, r.Code);
        Assert.Equal("Invalid", (string?)r.Body!["reason"]);
        Assert.Equal("ConfigMap", (string?)r.Body["details"]!["kind"]);
        Assert.Equal("Bad_Name", (string?)r.Body["details"]!["name"]);
        var causes = r.Body["details"]!["causes"]!.AsArray();
        Assert.Equal(new string?[] {"metadata.name", "metadata.labels"}, causes.Select(c => (string?)c!["field"]).ToArray());
        Assert.All(causes, c => Assert.Equal("FieldValueInvalid", (string?)c!["reason"]));
        Assert.StartsWith("ConfigMap \"Bad_Name\" is invalid: [metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain", (string?)r.Body["message"]);
    }

    [Fact]
    public async Task Body_namespace_different_from_url_is_400()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("status");
        var r = await k.Post($"/api/v1/namespaces/{ns}/configmaps", Cm("cm9", "other"));
        Assert.Equal(400, r.Code);
        Assert.Equal("the namespace of the provided object does not match the namespace sent on the request", (string?)r.Body!["message"]);
        Assert.Equal("BadRequest", (string?)r.Body["reason"]);
        Assert.Null(r.Body["details"]);
    }

    [Fact]
    public async Task Stale_resourceVersion_is_409_Conflict_and_current_one_succeeds()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("status");
        var created = await k.Post($"/api/v1/namespaces/{ns}/configmaps", Cm("cm1"));
        var rv = (string)created.Body!["metadata"]!["resourceVersion"]!;
        var stale = Cm("cm1", ns);
        stale["metadata"]!["resourceVersion"] = "1";
        var conflict = await k.Put($"/api/v1/namespaces/{ns}/configmaps/cm1", stale);
        Assert.Equal(409, conflict.Code);
        Assert.Equal("Operation cannot be fulfilled on configmaps \"cm1\": the object has been modified; please apply your changes to the latest version and try again",
            (string?)conflict.Body!["message"]);
        Assert.Equal("Conflict", (string?)conflict.Body["reason"]);

        var current = Cm("cm1", ns);
        current["metadata"]!["resourceVersion"] = rv;
        current["data"]!["k"] = "v2";
        var ok = await k.Put($"/api/v1/namespaces/{ns}/configmaps/cm1?fieldManager=hybridmesh", current);
        Assert.Equal(200, ok.Code);
        Assert.True(long.Parse((string)ok.Body!["metadata"]!["resourceVersion"]!) > long.Parse(rv));
        Assert.Contains(ok.Body["metadata"]!["managedFields"]!.AsArray(), m => (string?)m!["manager"] == "hybridmesh" && (string?)m["operation"] == "Update");
    }

    [Fact]
    public async Task Put_to_missing_object_is_404_not_a_create()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("status");
        var r = await k.Put($"/api/v1/namespaces/{ns}/configmaps/nope", Cm("nope", ns));
        Assert.Equal(404, r.Code);
        Assert.Equal("configmaps \"nope\" not found", (string?)r.Body!["message"]);
    }

    [Fact]
    public async Task Bad_selectors_are_400_with_the_parser_message()
    {
        using var k = Kube.For(fx.Gke);
        var bad = await k.Get("/api/v1/namespaces/istio-system/secrets?labelSelector=istio%2FmultiCluster%3D%3D%3Dtrue");
        Assert.Equal(400, bad.Code);
        Assert.Equal("unable to parse requirement: found '=', expected: identifier", (string?)bad.Body!["message"]);
        var field = await k.Get("/api/v1/namespaces/istio-system/secrets?fieldSelector=spec.type%3Dfoo");
        Assert.Equal(400, field.Code);
        Assert.Equal("field label not supported: spec.type", (string?)field.Body!["message"]);
    }

    [Fact]
    public async Task Plain_json_patch_content_type_is_415()
    {
        using var k = Kube.For(fx.Gke);
        var r = await k.Patch("/api/v1/namespaces/istio-system/configmaps/istio-ca-root-cert", JsonNode.Parse("""{"metadata":{"labels":{"a":"b"}}}""")!, Kube.Json);
        Assert.Equal(415, r.Code);
        Assert.Equal("UnsupportedMediaType", (string?)r.Body!["reason"]);
        Assert.Equal("415: Unsupported Media Type", (string?)r.Body["message"]);
    }

    [Fact]
    public async Task Unknown_fields_on_post_are_dropped_with_one_warning_each()
    {
        using var k = Kube.For(fx.Gke);
        var ns = await k.NewNamespace("status");
        var body = JsonNode.Parse($$"""
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"unk","namespace":"{{ns}}","bogus":true},"data":{"k":"v"},"extra":1}
            """)!;
        var r = await k.Post($"/api/v1/namespaces/{ns}/configmaps", body);
        Assert.Equal(201, r.Code);
        Assert.Null(r.Body!["extra"]);
        var warnings = r.Header("Warning").SelectMany(w => w.Split(", 299")).ToList();
        Assert.Contains(warnings, w => w.Contains("unknown field \\\"metadata.bogus\\\""));
        Assert.Contains(warnings, w => w.Contains("unknown field \\\"extra\\\""));

        body["metadata"]!["name"] = "unk2";
        var strict = await k.Post($"/api/v1/namespaces/{ns}/configmaps?fieldValidation=Strict", body);
        Assert.Equal(400, strict.Code);
        Assert.Equal("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"metadata.bogus\", unknown field \"extra\"",
            (string?)strict.Body!["message"]);
    }
}
