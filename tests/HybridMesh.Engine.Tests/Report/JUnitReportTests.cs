using System.Xml.Linq;
using HybridMesh.Engine.Steps.Report;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Report;

/// <summary>Test-MeshConnectivity -JUnitPath: the report's shape, counts and escaping (docs/design/ci-output.md).</summary>
public sealed class JUnitReportTests
{
    private static MeshCheck Check(string name, MeshCheckStatus status, string? peer = null, string detail = "ok", string? action = null) =>
        new() { Check = name, Cluster = "admin@c1", Peer = peer, Status = status, Detail = detail, RecommendedAction = action };

    [Fact]
    public void Every_check_is_one_case_and_only_failed_ones_fail()
    {
        var checks = new[]
        {
            Check("ApiServer", MeshCheckStatus.Passed),
            Check("EastWestGateway", MeshCheckStatus.Failed, detail: "no <gateway> & no \"address\"", action: "Run Install-EastWestGateway."),
            Check("FleetMembership", MeshCheckStatus.Warning, detail: "not checked", action: "Grant gkehub.viewer."),
            Check("RemoteSecretToken", MeshCheckStatus.Skipped, "gke_p_l_c2", "secret missing"),
        };
        var xml = JUnitReport.Render(checks, [], TimeSpan.FromSeconds(1.5), DateTimeOffset.UnixEpoch);

        Assert.DoesNotContain("\r", xml);
        var doc = XDocument.Parse(xml);
        var suite = doc.Root!.Element("testsuite")!;
        Assert.Equal("4", suite.Attribute("tests")!.Value);
        Assert.Equal("1", suite.Attribute("failures")!.Value);
        Assert.Equal("1", suite.Attribute("skipped")!.Value);
        Assert.Equal("1.500", doc.Root.Attribute("time")!.Value);
        var cases = suite.Elements("testcase").ToArray();
        Assert.Equal(["ApiServer [admin@c1]", "EastWestGateway [admin@c1]", "FleetMembership [admin@c1]", "RemoteSecretToken [admin@c1 -> gke_p_l_c2]"],
            cases.Select(c => c.Attribute("name")!.Value));
        var failure = cases[1].Element("failure")!;
        Assert.Equal("no <gateway> & no \"address\"", failure.Attribute("message")!.Value);
        Assert.Equal("no <gateway> & no \"address\"\nRecommendedAction: Run Install-EastWestGateway.", failure.Value);
        Assert.Null(cases[2].Element("failure"));
        Assert.Contains("Grant gkehub.viewer.", cases[2].Element("system-out")!.Value);
        Assert.Equal("secret missing", cases[3].Element("skipped")!.Attribute("message")!.Value);
    }

    [Fact]
    public void Every_traffic_pair_is_one_case()
    {
        var traffic = new[]
        {
            new MeshTrafficResult { From = "c1", Reached = ["v1"], Missing = ["v2"], Responses = ["Hello version: v1, instance: a"] },
            new MeshTrafficResult { From = "c2", Reached = [], Missing = [], Responses = [], RecommendedAction = "Grant pods/exec." },
        };
        var doc = XDocument.Parse(JUnitReport.Render([], traffic, TimeSpan.Zero, DateTimeOffset.UnixEpoch));
        var cases = doc.Root!.Element("testsuite")!.Elements("testcase").ToArray();
        Assert.Equal(["Traffic [c1 -> helloworld v1]", "Traffic [c1 -> helloworld v2]", "Traffic [c2]"], cases.Select(c => c.Attribute("name")!.Value));
        Assert.Null(cases[0].Element("failure"));
        Assert.Contains("never reached helloworld v2", cases[1].Element("failure")!.Attribute("message")!.Value);
        Assert.Contains("RecommendedAction: Grant pods/exec.", cases[2].Element("failure")!.Value);
        Assert.Equal("2", doc.Root.Attribute("failures")!.Value);
    }
}
