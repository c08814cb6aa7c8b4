using System.Text.Json.Nodes;
using HybridMesh.Engine.Google;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Google;

/// <summary>Resource Manager v1 getEffectiveOrgPolicy through the real client against the simulated fleet, and how a list policy is judged.</summary>
public sealed class OrgPolicyTests : FleetTestBase
{
    private const string Constraint = "constraints/compute.restrictLoadBalancerCreationForTypes";

    [Fact]
    public async Task Reads_the_effective_list_policy_with_a_v1_POST()
    {
        Fleet.AddProject("lb-project", 123456789012);
        Fleet.SetLoadBalancerPolicy("lb-project", new JsonObject { ["deniedValues"] = new JsonArray("in:EXTERNAL", "is:INTERNAL_HTTP_HTTPS") });
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var policy = await apis.Policies.GetEffectiveListPolicyAsync("lb-project", Constraint, CancellationToken.None);

        Assert.Equal(Constraint, policy.Constraint);
        Assert.Equal(["in:EXTERNAL", "is:INTERNAL_HTTP_HTTPS"], policy.DeniedValues);
        Assert.False(policy.Allows("EXTERNAL_NETWORK_TCP_UDP", "EXTERNAL"));
        Assert.True(policy.Allows("INTERNAL_TCP_UDP", "INTERNAL"));
        var request = Assert.Single(Fleet.RequestLog);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/projects/lb-project:getEffectiveOrgPolicy", request.Path);
    }

    [Fact]
    public async Task No_policy_allows_everything()
    {
        Fleet.AddProject("open-project", 123456789013);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var policy = await apis.Policies.GetEffectiveListPolicyAsync("open-project", Constraint, CancellationToken.None);

        Assert.Empty(policy.AllowedValues);
        Assert.Empty(policy.DeniedValues);
        Assert.True(policy.Allows("EXTERNAL_NETWORK_TCP_UDP", "EXTERNAL"));
    }

    [Fact]
    public async Task A_caller_without_orgpolicy_policy_get_gets_a_permission_error()
    {
        Fleet.AddProject("locked-project", 123456789014);
        Fleet.SetLoadBalancerPolicy("locked-project", null, readDenied: true);
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var error = await Assert.ThrowsAsync<MeshException>(() =>
            apis.Policies.GetEffectiveListPolicyAsync("locked-project", Constraint, CancellationToken.None));

        Assert.Equal(MeshErrorCategory.PermissionDenied, error.Category);
        Assert.Single(Fleet.RequestLog); // a 403 is not retried
    }

    [Theory]
    [InlineData(null, new string[0], new string[0], true)]
    [InlineData("DENY", new string[0], new string[0], false)]
    [InlineData("ALLOW", new string[0], new[] { "EXTERNAL_NETWORK_TCP_UDP" }, true)]
    [InlineData(null, new string[0], new[] { "EXTERNAL_NETWORK_TCP_UDP" }, false)]
    [InlineData(null, new string[0], new[] { "is:EXTERNAL_NETWORK_TCP_UDP" }, false)]
    [InlineData(null, new string[0], new[] { "in:EXTERNAL" }, false)]
    [InlineData(null, new string[0], new[] { "in:INTERNAL" }, true)]
    [InlineData(null, new[] { "INTERNAL_TCP_UDP" }, new string[0], false)]
    [InlineData(null, new[] { "in:EXTERNAL" }, new string[0], true)]
    [InlineData(null, new[] { "EXTERNAL_NETWORK_TCP_UDP" }, new string[0], true)]
    public void Judges_external_network_load_balancers(string? all, string[] allowed, string[] denied, bool expected) =>
        Assert.Equal(expected, new EffectiveListPolicy(Constraint, all, allowed, denied).Allows("EXTERNAL_NETWORK_TCP_UDP", "EXTERNAL"));

    [Fact]
    public async Task A_Shared_VPC_cluster_reports_the_host_project_network()
    {
        Fleet.AddProject("svc-project", 123456789015);
        Fleet.AddGkeCluster("svc-project", "us-central1", "c1", "shared-net", networkProject: "host-project");
        using var apis = await GoogleTestKit.ConnectAsync(Fleet);

        var cluster = await apis.Clusters.GetClusterAsync("svc-project", "us-central1", "c1", CancellationToken.None);

        Assert.Equal("shared-net", cluster.Network);
        Assert.Equal("projects/host-project/global/networks/shared-net", cluster.Vpc);
        Assert.Equal("svc-project-shared-net", cluster.MeshNetworkId);
    }
}
