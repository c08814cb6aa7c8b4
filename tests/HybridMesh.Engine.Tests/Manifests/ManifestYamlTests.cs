using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HybridMesh.Engine.Tests.Manifests;

/// <summary>-ManifestOnly output: read back by an independent YAML reader, it must be the same objects.</summary>
public class ManifestYamlTests
{
    private static List<JsonObject> EverythingRendered()
    {
        var gateway = new EastWestGatewayOptions
        {
            Network = "1234",                       // a number-looking network must stay a string
            Revision = "asm-1282-4",
            MeshId = "proj-123456789012",
            InternalLoadBalancer = true,
            LoadBalancerIP = "10.0.0.9",
            ExternalIPs = ["192.168.0.9"],
            ServiceAnnotations = new Dictionary<string, string> { ["example.com/flag"] = "yes", ["example.com/n"] = "0755" },
            IncludePodDisruptionBudget = true,
            ImagePullSecrets = ["mirror"],
        };
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var objects = new List<JsonObject>();
        objects.AddRange(EastWestGatewayRenderer.Render(gateway));
        objects.Add(IstioOperatorRenderer.Render(gateway));
        objects.Add(CrossNetworkGatewayRenderer.Render(new CrossNetworkGatewayOptions(), ["v1"]));
        objects.AddRange(IstioReaderRenderer.Render("asm-1282-4"));
        objects.Add(RemoteSecretRenderer.Render(new RemoteSecretSource("c1", "https://10.0.0.1", [1, 2, 3], token)));
        return objects;
    }

    [Fact]
    public void Every_rendered_object_reads_back_identically()
    {
        var objects = EverythingRendered();
        var yaml = ManifestYaml.Serialize(objects);

        var documents = YamlToJson.ParseDocuments(yaml);

        Assert.Equal(objects.Count, documents.Count);
        for (var i = 0; i < objects.Count; i++)
        {
            ManifestAssert.EqualJson(objects[i], documents[i]);
        }
    }

    [Fact]
    public void Each_document_opens_with_a_marker_and_starts_with_apiVersion()
    {
        var yaml = ManifestYaml.Serialize(EverythingRendered());

        Assert.StartsWith("---\napiVersion: ", yaml);
        Assert.Equal(EverythingRendered().Count, yaml.Split("\n").Count(line => line == "---"));
        Assert.DoesNotContain("\r", yaml);
    }

    [Fact]
    public void Keys_keep_the_renderer_order()
    {
        var deployment = EastWestGatewayRenderer.Render(new EastWestGatewayOptions { Network = "n1" })[3];
        var yaml = ManifestYaml.Serialize(deployment);

        var root = (YamlMappingNode)YamlToJson.Load(yaml).Single().RootNode;
        Assert.Equal(["apiVersion", "kind", "metadata", "spec"], root.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("False")]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("N")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("")]
    [InlineData("1234")]
    [InlineData("-5")]
    [InlineData("0755")]
    [InlineData("0x1F")]
    [InlineData("1e3")]
    [InlineData("1.5")]
    [InlineData(".inf")]
    [InlineData("12:30")]
    [InlineData("2001-12-14")]
    [InlineData("10.0.0.1")]
    public void Strings_a_reader_could_retype_are_double_quoted(string text)
    {
        var key = text.Length == 0 ? "k" : text;
        var yaml = ManifestYaml.Serialize(new JsonObject { ["v"] = text, [key] = "x" });

        Assert.Contains($"v: \"{text}\"\n", yaml);
        var root = (YamlMappingNode)YamlToJson.Load(yaml).Single().RootNode;
        Assert.Equal(ScalarStyle.DoubleQuoted, ((YamlScalarNode)root["v"]).Style);
        if (text.Length > 0)
        {
            var keyNode = (YamlScalarNode)root.Children.Keys.Single(k => ((YamlScalarNode)k).Value == key);
            Assert.NotEqual(ScalarStyle.Plain, keyNode.Style);
        }
    }

    [Theory]
    [InlineData("*.local")]
    [InlineData("- item")]
    [InlineData("key: value")]
    [InlineData("# comment")]
    [InlineData("&anchor")]
    [InlineData("!tag")]
    [InlineData("@at")]
    [InlineData("%pct")]
    [InlineData("[a]")]
    [InlineData("{a}")]
    [InlineData("'single'")]
    [InlineData("\"double\"")]
    [InlineData(" leading")]
    [InlineData("trailing ")]
    [InlineData("|")]
    [InlineData("line one\nline two\n")]
    [InlineData("no final newline\nsecond")]
    [InlineData("trailing space \nnext")]
    [InlineData("tab\there")]
    [InlineData("100%")]
    [InlineData("2000m")]
    [InlineData("ünïcödé")]
    public void Awkward_strings_round_trip_as_values_and_keys(string text)
    {
        var original = new JsonObject { ["value"] = text, [text] = "as key", ["list"] = new JsonArray(text) };

        var back = YamlToJson.ParseDocuments(ManifestYaml.Serialize(original)).Single();

        ManifestAssert.EqualJson(original, back);
    }

    [Fact]
    public void Plain_text_stays_unquoted_for_readability()
    {
        var yaml = ManifestYaml.Serialize(new JsonObject { ["name"] = "istio-eastwestgateway", ["cpu"] = "2000m" });

        Assert.Contains("name: istio-eastwestgateway\n", yaml);
        Assert.Contains("cpu: 2000m\n", yaml);
    }

    [Fact]
    public void Numbers_booleans_and_nulls_are_written_as_such()
    {
        var original = new JsonObject { ["port"] = 15443, ["ratio"] = 0.5, ["on"] = true, ["off"] = false, ["none"] = null };

        var yaml = ManifestYaml.Serialize(original);

        Assert.Contains("port: 15443\n", yaml);
        Assert.Contains("\"on\": true\n", yaml);
        ManifestAssert.EqualJson(original, YamlToJson.ParseDocuments(yaml).Single());
    }

    [Fact]
    public void Long_values_are_never_folded()
    {
        var longValue = Convert.ToBase64String(RandomNumberGenerator.GetBytes(3000));
        var yaml = ManifestYaml.Serialize(new JsonObject { ["data"] = longValue, ["words"] = string.Join(' ', Enumerable.Repeat("word", 500)) });

        Assert.Contains($"data: {longValue}\n", yaml);
        Assert.Equal(["---", $"data: {longValue}", "words: " + string.Join(' ', Enumerable.Repeat("word", 500))],
            yaml.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Multi_line_text_is_a_literal_block()
    {
        var yaml = ManifestYaml.Serialize(new JsonObject { ["pem"] = "-----BEGIN X-----\nAAAA\n-----END X-----\n" });

        Assert.Contains("pem: |", yaml);
    }

    [Fact]
    public void Empty_list_is_refused_nothing_and_gives_an_empty_stream()
    {
        Assert.Equal("", ManifestYaml.Serialize(Array.Empty<JsonObject>()).Trim());
    }

    [Fact]
    public void Network_label_true_is_quoted_in_the_gateway_yaml()
    {
        var yaml = ManifestYaml.Serialize(EastWestGatewayRenderer.Render(new EastWestGatewayOptions { Network = "true" }));

        Assert.Contains("topology.istio.io/network: \"true\"", yaml);
        Assert.Contains("sidecar.istio.io/inject: \"true\"", yaml);
        Assert.Contains("value: \"true\"", yaml);
    }
}
