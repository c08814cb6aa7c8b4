namespace HybridMesh.Lab;

public enum LabPlatform { Gke, OnPrem }

/// <summary>Options for <see cref="LabHost.StartAsync"/>. Every cluster starts from <see cref="ClusterOptions"/> defaults; <see cref="Customize"/> may change any of them per cluster.</summary>
public sealed class LabOptions
{
    /// <summary>Number of clusters; cluster i (1-based) is GKE-style when i is odd, on-prem-style when even.</summary>
    public int Clusters { get; set; } = 2;
    /// <summary>Where kubeconfigs and lab.json go; a new temp directory when null.</summary>
    public string? OutputDirectory { get; set; }
    public string GkeProject { get; set; } = "lab-gke-project";
    public string GkeLocation { get; set; } = "us-central1";
    public string FleetProject { get; set; } = "lab-fleet";
    /// <summary>The fleet host project's number: the environment's mesh id is proj-&lt;this&gt;.</summary>
    public long FleetProjectNumber { get; set; } = 480516722219;
    /// <summary>The GKE clusters' own project number (a different project from the fleet host, as in real fleets).</summary>
    public long GkeProjectNumber { get; set; } = 731104257730;
    /// <summary>VPC network of the GKE clusters, as clusters.get reports it; their network id is &lt;GkeProject&gt;-&lt;this&gt;.</summary>
    public string GkeNetwork { get; set; } = "default";
    /// <summary>
    /// Whether the GKE clusters share the VPC <see cref="GkeNetwork"/> (one network id, as in many real fleets) or each
    /// gets its own VPC "&lt;GkeNetwork&gt;-&lt;name&gt;". Null: shared for labs of one or two clusters, one VPC per
    /// cluster from three on, so that a lab mesh is multi-network (and the mesh traffic model routes across it) unless
    /// asked otherwise (the command line also labels on-prem clusters dc-&lt;name&gt; from three on, see Program.cs).
    /// </summary>
    public bool? SharedGkeNetwork { get; set; }
    /// <summary>Start the simulated Google fleet (Resource Manager, GKE, GKE Hub) beside the clusters.</summary>
    public bool StartFleet { get; set; } = true;
    /// <summary>How the fleet behaves (its key included); the defaults when null.</summary>
    public Fleet.FleetOptions? Fleet { get; set; }
    /// <summary>One istio-ca-root-cert root shared by every cluster (false), or a distinct root per cluster (true).</summary>
    public bool DistinctRoots { get; set; }
    /// <summary>Start the HTTP control API (for out-of-process users).</summary>
    public bool StartControlServer { get; set; } = true;
    /// <summary>
    /// Answer `curl helloworld.sample:5000/hello` in any pod through the mesh model (Mesh/MeshModel.cs): installs
    /// a <see cref="Mesh.CurlExecHandler"/> as every cluster's ExecHandler. istiod pods then also answer
    /// `pilot-discovery request GET /debug/clusterz` (<see cref="Mesh.IstiodSimulator"/>).
    /// </summary>
    public bool SimulateMeshTraffic { get; set; }
    /// <summary>Per-cluster overrides, called with the 1-based index before the cluster starts.</summary>
    public Action<int, ClusterOptions>? Customize { get; set; }
}

/// <summary>What one simulated cluster has and how it behaves.</summary>
public sealed class ClusterOptions
{
    public required string Name { get; set; }
    public required LabPlatform Platform { get; set; }
    /// <summary>Leave what an in-cluster ASM control plane leaves (istio-system, istiod, reader RBAC, root cert, CRDs).</summary>
    public bool AsmPreset { get; set; } = true;
    /// <summary>Control-plane revisions installed by the preset: 0, 1 or 2 (e.g. asm-1282-4, asm-1264-1).</summary>
    public List<string> Revisions { get; set; } = ["asm-1282-4"];
    /// <summary>istio-system's topology.istio.io/network label; none when null.</summary>
    public string? Network { get; set; }
    /// <summary>Also create the cacerts Secret (plug-in CA) signed by the mesh root.</summary>
    public bool CaCertsSecret { get; set; }
    /// <summary>Serve the Gateway CRD as v1 too (Istio 1.22+); false mimics an older Istio (v1alpha3 and v1beta1 only).</summary>
    public bool ServeGatewayV1 { get; set; } = true;
    /// <summary>Create the hub.gke.io Membership (registered to the fleet); false = unregistered cluster.</summary>
    public bool Registered { get; set; } = true;
    /// <summary>The hub.gke.io Membership names the fleet project by number, as real clusters do (not by id).</summary>
    public bool OwnerByProjectNumber { get; set; }
    public TimeSpan LoadBalancerDelay { get; set; } = TimeSpan.FromMilliseconds(200);
    public bool LoadBalancerNever { get; set; }
    /// <summary>trustDomain in istiod's mesh config (ConfigMap istio-&lt;rev&gt;); default &lt;fleet project&gt;.svc.id.goog, as ASM installs it.</summary>
    public string? TrustDomain { get; set; }
    public TimeSpan DeploymentReadyDelay { get; set; } = TimeSpan.FromMilliseconds(100);
    /// <summary>
    /// How long a Pod created directly (probe, traffic client) takes from creation to Running: scheduling, image (cached)
    /// and container start. Short by default so that tests stay fast; a real cluster takes about 1-3 s
    /// (docs/design/in-cluster-probes.md, "The cost"); `--pod-start-ms` sets it for the command-line lab.
    /// </summary>
    public TimeSpan PodStartDelay { get; set; } = TimeSpan.FromMilliseconds(30);
}
