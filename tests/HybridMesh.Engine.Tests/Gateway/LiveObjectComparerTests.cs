using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;
using HybridMesh.Engine.Steps.Gateway;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Gateway;

/// <summary>The read-only change check behind -WhatIf and the Unchanged outcome.</summary>
public sealed class LiveObjectComparerTests
{
    private static JsonObject Deployment(string network = "net-1") =>
        EastWestGatewayRenderer.Render(new EastWestGatewayOptions { Network = network, Revision = "asm-1282-4" })
            .Single(o => ManifestObjects.Kind(o) == "Deployment");

    [Fact]
    public void Server_defaults_and_status_do_not_count_as_a_change()
    {
        var live = Deployment();
        live["status"] = new JsonObject { ["replicas"] = 1 };
        live["spec"]!["replicas"] = 1;
        live["spec"]!["template"]!["spec"]!["dnsPolicy"] = "ClusterFirst";
        live["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"] = "IfNotPresent";
        live["metadata"]!["labels"]!["extra"] = "from-someone-else";

        Assert.True(LiveObjectComparer.Covers(live, Deployment()));
    }

    [Fact]
    public void Canonicalised_quantities_are_equal_but_other_values_are_not()
    {
        var live = Deployment();
        live["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["cpu"] = "2";
        live["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["memory"] = "1Gi";
        Assert.True(LiveObjectComparer.Covers(live, Deployment()));

        live["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["cpu"] = "1";
        Assert.False(LiveObjectComparer.Covers(live, Deployment()));
    }

    [Fact]
    public void A_changed_value_a_missing_field_or_a_list_of_another_length_is_a_change()
    {
        Assert.False(LiveObjectComparer.Covers(Deployment("net-2"), Deployment("net-1")));

        var missingEnv = Deployment();
        missingEnv["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject().Remove("env");
        Assert.False(LiveObjectComparer.Covers(missingEnv, Deployment()));

        var extraPort = Deployment();
        extraPort["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]!.AsArray().Add(new JsonObject { ["containerPort"] = 80 });
        Assert.False(LiveObjectComparer.Covers(extraPort, Deployment()));
    }
}
