namespace HybridMesh.Models;

/// <summary>Where a cluster runs. Decides how its network id is computed and how it joins the fleet.</summary>
// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum ClusterPlatform : long
{
    /// <summary>Google Kubernetes Engine: network id is &lt;cluster project&gt;-&lt;VPC network&gt;.</summary>
    Gke,

    /// <summary>Google Distributed Cloud (on-premises) or any other non-GKE cluster: network id defaults to "default".</summary>
    OnPrem,
}
