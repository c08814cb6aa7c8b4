using HybridMesh.Engine.Steps;
using HybridMesh.Lab.Fleet;
using HybridMesh.Models;
using HybridMesh.Engine.Steps.Environment;

namespace HybridMesh.Engine.Tests.Google;

public sealed class EnvironmentResolverTests : FleetTestBase
{
    private const string FleetProject = "my-fleet-host";
    private const long FleetNumber = 918273645012;

    private Task<MeshEnvironment> ResolveAsync(RecordingSink sink, IReadOnlyList<MeshCluster> clusters,
        IReadOnlyDictionary<string, string>? networks = null, NetworkLabelReader? labels = null) =>
        EnvironmentResolver.ResolveAsync(new EnvironmentRequest
        {
            FleetProjectId = FleetProject,
            Clusters = clusters,
            Networks = networks ?? new Dictionary<string, string>(),
            Google = GoogleTestKit.Options(Fleet),
        }, sink, CancellationToken.None, labels);

    [Fact]
    public async Task Gives_project_number_mesh_id_and_a_network_per_cluster_in_order()
    {
        Fleet.AddProject(FleetProject, FleetNumber);
        Fleet.AddGkeCluster("gke-proj", "us-central1-a", "prod", "default");
        var sink = new RecordingSink();
        var gke = GoogleTestKit.Gke("gke-proj", "us-central1-a", "prod");
        var onprem = GoogleTestKit.OnPrem("admin@onprem-1");

        var environment = await ResolveAsync(sink, [gke, onprem]);

        Assert.Equal(FleetProject, environment.FleetProjectId);
        Assert.Equal(FleetNumber, environment.ProjectNumber);
        Assert.Equal("proj-918273645012", environment.MeshId);
        Assert.Equal(["gke-proj-default", "default"], environment.Networks);
        Assert.Equal(NetworkSource.GkeNetwork, environment.Clusters[0].NetworkSource);
        Assert.Equal(NetworkSource.Default, environment.Clusters[1].NetworkSource);
        Assert.Same(gke, environment.Clusters[0].Cluster);
        Assert.Empty(sink.Errors);
        // One Resource Manager call, one GKE call (on-prem needs none).
        Assert.Equal(1, Count(FleetApi.ResourceManager));
        Assert.Equal(1, Count(FleetApi.Container));
        AssertNoToken(sink.AllText);
    }

    [Fact]
    public async Task Network_parameter_wins_by_context_or_cluster_name_and_skips_the_lookup()
    {
        Fleet.AddProject(FleetProject, FleetNumber);
        var sink = new RecordingSink();
        var gke = GoogleTestKit.Gke("gke-proj", "us-central1-a", "prod");
        var onprem = GoogleTestKit.OnPrem("admin@onprem-1");
        var networks = new Dictionary<string, string>
        {
            ["PROD"] = "vpc-east",                 // cluster name, other case (PowerShell hashtables ignore case)
            ["admin@onprem-1"] = "datacenter-2",    // context
        };

        var environment = await ResolveAsync(sink, [gke, onprem], networks);

        Assert.Equal(["vpc-east", "datacenter-2"], environment.Networks);
        Assert.All(environment.Clusters, c => Assert.Equal(NetworkSource.Parameter, c.NetworkSource));
        Assert.Equal(0, Count(FleetApi.Container));
    }

    [Fact]
    public async Task A_network_key_that_matches_nothing_stops_before_any_call_naming_the_valid_keys()
    {
        Fleet.AddProject(FleetProject, FleetNumber);
        var sink = new RecordingSink();

        var error = await Assert.ThrowsAsync<MeshException>(() => ResolveAsync(sink,
            [GoogleTestKit.OnPrem("onprem"), GoogleTestKit.Gke("gke-proj", "us-central1-a", "prod")],
            new Dictionary<string, string> { ["onprme"] = "x" }));

        Assert.Equal("ClusterNameUnknown", error.ErrorId);
        Assert.Equal("onprme", error.Target);
        Assert.Contains("onprem", error.Message);
        Assert.Contains("gke_gke-proj_us-central1-a_prod", error.Message);
        Assert.Equal(0, Count(FleetApi.ResourceManager));
    }

    [Fact]
    public async Task An_invalid_network_id_stops_before_any_call()
    {
        var sink = new RecordingSink();

        var error = await Assert.ThrowsAsync<MeshException>(() => ResolveAsync(sink, [GoogleTestKit.OnPrem("onprem")],
            new Dictionary<string, string> { ["onprem"] = "not a label value!" }));

        Assert.Equal("NetworkIdInvalid", error.ErrorId);
        Assert.Empty(Fleet.RequestLog);
    }

    [Fact]
    public async Task An_invalid_fleet_project_id_stops_before_credentials_or_calls()
    {
        var request = new EnvironmentRequest
        {
            FleetProjectId = "Not_A_Project",
            // No token and no ADC reachable: if validation came second, this would be CredentialsNotFound.
            Google = new Engine.Google.GoogleApiOptions { EnvironmentReader = _ => null },
        };

        var error = await Assert.ThrowsAsync<MeshException>(
            () => EnvironmentResolver.ResolveAsync(request, new RecordingSink(), CancellationToken.None));

        Assert.Equal("FleetProjectIdInvalid", error.ErrorId);
        Assert.Empty(Fleet.RequestLog);
    }

    [Fact]
    public async Task A_failed_cluster_is_one_error_and_the_others_still_get_their_network()
    {
        Fleet.AddProject(FleetProject, FleetNumber);
        Fleet.AddGkeCluster("gke-proj", "us-central1-a", "prod", "default");
        var sink = new RecordingSink();
        var good = GoogleTestKit.Gke("gke-proj", "us-central1-a", "prod");
        var missing = GoogleTestKit.Gke("gke-proj", "us-central1-a", "ghost");
        var unknownLocation = new MeshCluster("gke-custom", "gke-custom", ["/tmp/kubeconfig"], "https://203.0.113.9",
            ClusterPlatform.Gke);
        var onprem = GoogleTestKit.OnPrem("onprem");

        var environment = await ResolveAsync(sink, [good, missing, unknownLocation, onprem]);

        Assert.Equal(["gke-proj-default", "default"], environment.Networks);
        Assert.Equal(2, sink.Errors.Count);
        Assert.Contains(sink.Errors, e => e.ErrorId == "GkeClusterNotFound");
        var location = Assert.Single(sink.Errors, e => e.ErrorId == "GkeClusterLocationUnknown");
        Assert.Equal("gke-custom", location.Target);
        Assert.Contains("-Network", location.RecommendedAction);
    }

    [Fact]
    public async Task A_fleet_project_the_caller_cannot_see_stops_the_whole_request()
    {
        Fleet.AddProject(FleetProject, FleetNumber, denied: true);

        var error = await Assert.ThrowsAsync<MeshException>(
            () => ResolveAsync(new RecordingSink(), [GoogleTestKit.Gke("gke-proj", "us-central1-a", "prod")]));

        Assert.Equal("ProjectNotFound", error.ErrorId);
        Assert.Equal(0, Count(FleetApi.Container));
    }

    [Fact]
    public async Task A_private_cluster_is_resolved_with_a_warning()
    {
        Fleet.AddProject(FleetProject, FleetNumber);
        Fleet.AddGkeCluster("gke-proj", "us-central1", "locked", "vpc-a", privateEndpoint: true);
        var sink = new RecordingSink();

        var environment = await ResolveAsync(sink, [GoogleTestKit.Gke("gke-proj", "us-central1", "locked")]);

        Assert.Equal(["gke-proj-vpc-a"], environment.Networks);
        Assert.Contains(sink.Warnings, w => w.Contains("private"));
    }

    [Fact]
    public async Task A_DNS_only_control_plane_is_resolved_with_its_own_warning()
    {
        Fleet.AddProject(FleetProject, FleetNumber);
        Fleet.AddGkeCluster("gke-proj", "us-central1", "dns", "vpc-a", dnsOnly: true);
        var sink = new RecordingSink();

        var environment = await ResolveAsync(sink, [GoogleTestKit.Gke("gke-proj", "us-central1", "dns")]);

        Assert.Equal(["gke-proj-vpc-a"], environment.Networks);
        var warning = Assert.Single(sink.Warnings, w => w.Contains("DNS-only"));
        Assert.Contains(".gke.goog", warning);
    }

    [Fact]
    public async Task An_existing_cluster_label_wins_over_the_computed_network_with_a_warning_but_not_over_the_parameter()
    {
        Fleet.AddProject(FleetProject, FleetNumber);
        Fleet.AddGkeCluster("gke-proj", "us-central1-a", "prod", "default");
        var labelled = GoogleTestKit.Gke("gke-proj", "us-central1-a", "prod");
        var onprem = GoogleTestKit.OnPrem("onprem");
        var overridden = GoogleTestKit.OnPrem("onprem-2");
        NetworkLabelReader labels = (cluster, _) => Task.FromResult<string?>(cluster.Context switch
        {
            "onprem" => "network2",
            "onprem-2" => "ignored",
            _ => "gke-network-label",
        });

        var sink = new RecordingSink();
        var environment = await ResolveAsync(sink, [labelled, onprem, overridden],
            new Dictionary<string, string> { ["onprem-2"] = "given" }, labels);

        Assert.Equal(["gke-network-label", "network2", "given"], environment.Networks);
        Assert.Equal([NetworkSource.ClusterLabel, NetworkSource.ClusterLabel, NetworkSource.Parameter],
            environment.Clusters.Select(c => c.NetworkSource));
        // The runbook value is still computed, to warn where the label differs from it.
        Assert.Equal(1, Count(FleetApi.Container));
        Assert.Contains(sink.Warnings, w => w.Contains("'gke-network-label'") && w.Contains("'gke-proj-default'"));
        Assert.Contains(sink.Warnings, w => w.Contains("'network2'") && w.Contains("'default'"));
        Assert.DoesNotContain(sink.Warnings, w => w.Contains("onprem-2"));
    }

    [Fact]
    public async Task A_label_equal_to_the_computed_network_gives_no_warning_and_an_unreadable_label_falls_back()
    {
        Fleet.AddProject(FleetProject, FleetNumber);
        var same = GoogleTestKit.OnPrem("same");
        var unreachable = GoogleTestKit.OnPrem("unreachable");
        NetworkLabelReader labels = (cluster, _) => cluster.Context == "same"
            ? Task.FromResult<string?>("default")
            : throw new MeshException("ApiServerUnreachable", MeshErrorCategory.ConnectionError, cluster.Context,
                "Cannot reach the API server.", "Check the network.");

        var sink = new RecordingSink();
        var environment = await ResolveAsync(sink, [same, unreachable], labels: labels);

        Assert.Equal(["default", "default"], environment.Networks);
        Assert.Equal([NetworkSource.ClusterLabel, NetworkSource.Default], environment.Clusters.Select(c => c.NetworkSource));

        var warning = Assert.Single(sink.Warnings);
        Assert.Contains("unreachable", warning);
        Assert.Contains("ApiServerUnreachable", warning);
    }

    [Fact]
    public async Task The_same_cluster_piped_twice_counts_once()
    {
        Fleet.AddProject(FleetProject, FleetNumber);
        var onprem = GoogleTestKit.OnPrem("onprem");

        var environment = await ResolveAsync(new RecordingSink(), [onprem, GoogleTestKit.OnPrem("onprem")]);

        Assert.Single(environment.Clusters);
    }

    [Fact]
    public async Task No_clusters_still_gives_project_number_and_mesh_id()
    {
        Fleet.AddProject(FleetProject, FleetNumber);

        var environment = await ResolveAsync(new RecordingSink(), []);

        Assert.Equal("proj-918273645012", environment.MeshId);
        Assert.Empty(environment.Networks);
    }

    [Fact]
    public async Task Endpoint_variable_points_every_api_at_the_fleet()
    {
        Fleet.AddProject(FleetProject, FleetNumber);
        Fleet.AddGkeCluster("gke-proj", "us-central1-a", "prod", "default");
        var variables = new Dictionary<string, string> { ["HYBRIDMESH_GOOGLE_API_ENDPOINT"] = Fleet.Url.AbsoluteUri.TrimEnd('/') };
        var request = new EnvironmentRequest
        {
            FleetProjectId = FleetProject,
            Clusters = [GoogleTestKit.Gke("gke-proj", "us-central1-a", "prod")],
            Google = new Engine.Google.GoogleApiOptions
            {
                AccessToken = GoogleTestKit.Secure(Fleet.AccessToken),
                EnvironmentReader = name => variables.GetValueOrDefault(name),
                Retry = GoogleTestKit.FastRetry(),
            },
        };

        var environment = await EnvironmentResolver.ResolveAsync(request, new RecordingSink(), CancellationToken.None);

        Assert.Equal(["gke-proj-default"], environment.Networks);
        Assert.Equal(2, Fleet.RequestLog.Count);
    }
}

public sealed class EnvironmentExportTests
{
    [Fact]
    public void Exports_the_runbook_variables_and_clears_stale_networks_and_contexts()
    {
        var environment = new MeshEnvironment("my-fleet-host", 123456789, [
            new ClusterNetwork(GoogleTestKit.Gke("p-one", "us-central1", "a"), "p-one-default", NetworkSource.GkeNetwork),
            new ClusterNetwork(GoogleTestKit.OnPrem("onprem"), "default", NetworkSource.Default),
        ]);
        var current = new Dictionary<string, string> { ["NETWORK_3"] = "old", ["NETWORK_4"] = "older", ["CTX_3"] = "gone" };

        var variables = EnvironmentExport.Variables(environment, name => current.GetValueOrDefault(name));

        // CTX_k is the context of the cluster whose network is NETWORK_k (the seed's --context=${CTX_1}).
        Assert.Equal(
        [
            new("PROJECT_NUMBER", "123456789"), new("MESH_ID", "proj-123456789"), new("NETWORK_1", "p-one-default"),
            new("NETWORK_2", "default"), new("NETWORK_3", null), new KeyValuePair<string, string?>("NETWORK_4", null),
            new("CTX_1", environment.Clusters[0].Context), new("CTX_2", "onprem"), new KeyValuePair<string, string?>("CTX_3", null),
        ], variables);
    }
}

public sealed class GoogleEndpointsTests
{
    [Fact]
    public void Parameter_beats_the_api_variable_which_beats_the_shared_variable()
    {
        var variables = new Dictionary<string, string>
        {
            ["HYBRIDMESH_GOOGLE_API_ENDPOINT"] = "https://psc.example.internal/base",
            ["HYBRIDMESH_CONTAINER_ENDPOINT"] = "https://container.psc.example.internal",
        };
        var options = new Engine.Google.GoogleApiOptions
        {
            GkeHubEndpoint = new Uri("http://127.0.0.1:9/hub"),
            EnvironmentReader = name => variables.GetValueOrDefault(name),
        };

        var endpoints = Engine.Google.GoogleEndpoints.Resolve(options);

        Assert.Equal("https://psc.example.internal/base/", endpoints.ResourceManager.AbsoluteUri);
        Assert.Equal("https://container.psc.example.internal/", endpoints.Container.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:9/hub/", endpoints.GkeHub.AbsoluteUri);
    }

    [Fact]
    public void Defaults_are_googles_public_endpoints()
    {
        var endpoints = Engine.Google.GoogleEndpoints.Resolve(new Engine.Google.GoogleApiOptions { EnvironmentReader = _ => null });

        Assert.Equal("https://cloudresourcemanager.googleapis.com/", endpoints.ResourceManager.AbsoluteUri);
        Assert.Equal("https://container.googleapis.com/", endpoints.Container.AbsoluteUri);
        Assert.Equal("https://gkehub.googleapis.com/", endpoints.GkeHub.AbsoluteUri);
    }

    [Fact]
    public void A_malformed_variable_is_GoogleEndpointInvalid()
    {
        var options = new Engine.Google.GoogleApiOptions
        {
            EnvironmentReader = name => name == "HYBRIDMESH_GKEHUB_ENDPOINT" ? "not a url" : null,
        };

        var error = Assert.Throws<MeshException>(() => Engine.Google.GoogleEndpoints.Resolve(options));

        Assert.Equal("GoogleEndpointInvalid", error.ErrorId);
        Assert.Contains("HYBRIDMESH_GKEHUB_ENDPOINT", error.Message);
    }
}
