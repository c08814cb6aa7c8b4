using HybridMesh.Engine.Google;
using HybridMesh.Lab.Fleet;
using HybridMesh.Models;

namespace HybridMesh.Engine.Tests.Google;

/// <summary>GkeFleetRegistration against the lab fleet: finding a cluster's membership and registering it as gcloud/asmcli do.</summary>
public sealed class FleetRegistrationTests : FleetTestBase
{
    private const string FleetProject = "my-fleet-host";
    private const long FleetNumber = 918273645012;
    private const string GkeProject = "gke-proj";
    private const long GkeNumber = 123456789012;
    private const string Zone = "us-central1-a";
    private const string Context = "gke_gke-proj_us-central1-a_prod";

    protected override FleetOptions FleetOptions => new() { OperationDelay = TimeSpan.FromMilliseconds(200), ServiceAccountKeyPem = TestFleetKey.ServiceAccountKeyPem };

    private async Task<(GoogleApis Apis, GkeClusterInfo Cluster, GkeFleetRegistration Registration)> SetUpAsync(
        string cluster = "prod", Func<string>? random = null)
    {
        Fleet.AddProject(FleetProject, FleetNumber);
        Fleet.AddProject(GkeProject, GkeNumber);
        var apis = await GoogleTestKit.ConnectAsync(Fleet);
        var info = await apis.Clusters.GetClusterAsync(GkeProject, Zone, cluster, CancellationToken.None);
        return (apis, info, new GkeFleetRegistration(apis.Fleet, apis.Projects, FleetProject, FleetNumber,
            new RecordingSink(), random));
    }

    private IReadOnlyList<FleetRequest> Creates => Fleet.RequestLog.Where(r => r.Method == "POST" && r.Api == FleetApi.GkeHub).ToArray();

    private async Task<IReadOnlyList<FleetMembership>> MembershipsAsync(GoogleApis apis) =>
        await apis.Fleet.ListMembershipsAsync(FleetProject, "-", CancellationToken.None);

    [Fact]
    public async Task A_create_replayed_after_a_lost_answer_that_meets_its_own_membership_is_a_success()
    {
        Fleet.AddGkeCluster(GkeProject, Zone, "prod", "default");
        var (apis, cluster, registration) = await SetUpAsync();
        using var _ = apis;
        Fleet.ReplayedCreatesConflict = true;
        Fleet.Faults.LoseAnswers(1, FleetApi.GkeHub);

        var failure = await registration.RegisterAsync(Context, cluster, TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.Null(failure);
        // Two POSTs with one requestId: the first was carried out (answer lost), the replay answered 409.
        Assert.Equal([0, 409], Creates.Select(r => r.Status));
        Assert.Single(Creates.Select(r => r.Path[r.Path.IndexOf("requestId=", StringComparison.Ordinal)..]).Distinct());
        var membership = Assert.Single(await MembershipsAsync(apis));
        Assert.Equal($"projects/{FleetProject}/locations/us-central1/memberships/prod", membership.Name);
        Assert.True(membership.IsReady);
    }

    [Fact]
    public async Task A_name_taken_by_another_cluster_moves_to_cluster_project_zone()
    {
        Fleet.AddGkeCluster(GkeProject, Zone, "prod", "default");
        Fleet.AddMembership(FleetProject, "us-central1", "prod",
            gkeResourceLink: "//container.googleapis.com/projects/other-proj/locations/us-central1/clusters/prod");
        var (apis, cluster, registration) = await SetUpAsync();
        using var _ = apis;

        var failure = await registration.RegisterAsync(Context, cluster, TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.Null(failure);
        Assert.Equal(2, Creates.Count);
        // asmcli: <cluster>-<project>-<cluster location>, the zone for a zonal cluster.
        Assert.Contains("membershipId=prod-gke-proj-us-central1-a&", Creates[1].Path);
        Assert.Equal(2, (await MembershipsAsync(apis)).Count);
    }

    [Fact]
    public async Task When_both_names_are_taken_the_third_is_54_characters_and_8_random()
    {
        Fleet.AddGkeCluster(GkeProject, Zone, "prod", "default");
        foreach (var id in new[] { "prod", "prod-gke-proj-us-central1-a" })
        {
            Fleet.AddMembership(FleetProject, "us-central1", id, externalId: "someone-else-" + id);
        }

        var (apis, cluster, registration) = await SetUpAsync(random: () => "k3x9q2ab");
        using var _ = apis;

        Assert.Null(await registration.RegisterAsync(Context, cluster, TimeSpan.FromSeconds(20), CancellationToken.None));
        Assert.Contains("membershipId=prod-k3x9q2ab&", Creates.Last().Path);
    }

    [Fact]
    public async Task When_every_name_is_taken_it_is_FleetMembershipNamesTaken()
    {
        Fleet.AddGkeCluster(GkeProject, Zone, "prod", "default");
        foreach (var id in new[] { "prod", "prod-gke-proj-us-central1-a", "prod-aaaaaaaa" })
        {
            Fleet.AddMembership(FleetProject, "us-central1", id, externalId: "someone-else-" + id);
        }

        var (apis, cluster, registration) = await SetUpAsync(random: () => "aaaaaaaa");
        using var _ = apis;

        var failure = await registration.RegisterAsync(Context, cluster, TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.Equal("FleetMembershipNamesTaken", failure?.ErrorId);
        Assert.Contains("prod-gke-proj-us-central1-a", failure!.Message);
        Assert.Equal(3, Creates.Count);
    }

    [Fact]
    public void Names_follow_asmcli()
    {
        var longName = new string('c', 40);
        Assert.Equal(["prod", "prod-p-us-central1-a", "prod-r"],
            FleetMembershipNames.Candidates("prod", "p", "us-central1-a", () => "r"));
        // 40 + 1 + 30 + 1 + 13 > 63: the second name is skipped, as asmcli does.
        Assert.Equal([longName, longName + "-r"],
            FleetMembershipNames.Candidates(longName, new string('p', 30), "us-central1-a", () => "r"));
        Assert.Equal(new string('x', 54) + "-r", FleetMembershipNames.Candidates(new string('x', 70), "p", "l", () => "r").Single());
        var suffix = FleetMembershipNames.RandomSuffix();
        Assert.Matches("^[a-z0-9]{8}$", suffix);
    }

    [Fact]
    public async Task A_membership_made_with_the_project_number_and_zones_spelling_is_found()
    {
        Fleet.AddGkeCluster(GkeProject, Zone, "prod", "default");
        Fleet.AddMembership(FleetProject, "us-central1", "made-by-terraform",
            gkeResourceLink: $"//container.googleapis.com/projects/{GkeNumber}/zones/{Zone}/clusters/prod");
        var (apis, cluster, registration) = await SetUpAsync();
        using var _ = apis;

        var found = await registration.FindAsync(Context, cluster, CancellationToken.None);

        Assert.Equal("made-by-terraform", found?.Id);
    }

    [Fact]
    public async Task GKEs_fleet_membership_field_is_the_authority()
    {
        // A membership whose endpoint names no GKE cluster (for example made by another tool): only GKE's own
        // fleet.membership, written with the fleet's number, ties it to the cluster.
        Fleet.AddGkeCluster(GkeProject, Zone, "prod", "default", fleetProject: FleetProject,
            fleetMembership: $"//gkehub.googleapis.com/projects/{FleetNumber}/locations/global/memberships/prod-fleet");
        Fleet.AddMembership(FleetProject, "global", "prod-fleet");
        var (apis, cluster, registration) = await SetUpAsync();
        using var _ = apis;
        Fleet.ClearRequestLog();

        var found = await registration.FindAsync(Context, cluster, CancellationToken.None);

        Assert.Equal($"projects/{FleetProject}/locations/global/memberships/prod-fleet", found?.Name);
        Assert.Equal([$"/v1/projects/{FleetProject}/locations/global/memberships/prod-fleet"],
            Fleet.RequestLog.Select(r => r.Path));
    }

    [Fact]
    public async Task A_cluster_GKE_places_in_another_fleet_is_MeshMembershipOtherFleet()
    {
        Fleet.AddGkeCluster(GkeProject, Zone, "prod", "default", fleetProject: "other-fleet",
            fleetMembership: "//gkehub.googleapis.com/projects/555555555555/locations/global/memberships/prod");
        var (apis, cluster, registration) = await SetUpAsync();
        using var _ = apis;

        var error = await Assert.ThrowsAsync<MeshException>(() => registration.FindAsync(Context, cluster, CancellationToken.None));

        Assert.Equal("MeshMembershipOtherFleet", error.ErrorId);
    }

    [Fact]
    public async Task An_incomplete_list_is_FleetLocationsUnreachable_naming_the_locations()
    {
        Fleet.AddGkeCluster(GkeProject, Zone, "prod", "default");
        Fleet.AddMembership(FleetProject, "us-east1", "prod",
            gkeResourceLink: $"//container.googleapis.com/projects/{GkeProject}/locations/{Zone}/clusters/prod");
        Fleet.SetUnreachableLocations("us-east1");
        var (apis, cluster, registration) = await SetUpAsync();
        using var _ = apis;

        var error = await Assert.ThrowsAsync<MeshException>(() => registration.FindAsync(Context, cluster, CancellationToken.None));

        Assert.Equal("FleetLocationsUnreachable", error.ErrorId);
        Assert.Contains($"projects/{FleetProject}/locations/us-east1", error.Message);
        Assert.Empty(Creates);
    }

    [Fact]
    public async Task Without_Workload_Identity_registration_stops_before_any_create()
    {
        Fleet.AddGkeCluster(GkeProject, Zone, "prod", "default", workloadIdentity: false);
        var (apis, cluster, registration) = await SetUpAsync();
        using var _ = apis;

        var failure = await registration.RegisterAsync(Context, cluster, TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.Equal("GkeWorkloadIdentityDisabled", failure?.ErrorId);
        Assert.Contains($"--workload-pool={GkeProject}.svc.id.goog", failure!.RecommendedAction);
        Assert.Empty(Creates);
    }
}
