namespace HybridMesh.Models;

/// <summary>Whether istiod of a cluster serves the root of its cacerts Secret (it reads cacerts only at start).</summary>
// long-based so that ConvertTo-Json writes the name, not a number (docs/design/output-shapes.md).
public enum IstiodRestartState : long
{
    /// <summary>The cluster already serves the root of cacerts; nothing to restart.</summary>
    NotNeeded,

    /// <summary>cacerts holds a root istiod does not serve yet: restart istiod (-RestartIstiod) for it to take effect.</summary>
    Pending,

    /// <summary>istiod was restarted and the cluster now serves the new root.</summary>
    Restarted,

    /// <summary>A restart was needed but not made (-WhatIf, or the user declined).</summary>
    Skipped,
}

/// <summary>
/// What Install-MeshCertificate did on one cluster: the cacerts Secret (Created, Configured, Unchanged, Skipped),
/// the intermediate it holds, whether istiod serves the root, and the proxies still holding certificates from
/// before the restart. Never holds key material.
/// </summary>
public sealed class MeshCertificateInstall
{
    public MeshCertificateInstall(MeshCluster cluster, AppliedObject secret)
    {
        Cluster = cluster;
        Secret = secret;
    }

    public MeshCluster Cluster { get; }

    public string Context => Cluster.Context;

    public KubeconfigList Kubeconfig => Cluster.Kubeconfig;

    /// <summary>The Secret istio-system/cacerts and what was done to it.</summary>
    public AppliedObject Secret { get; }

    public ObjectOutcome Outcome => Secret.Outcome;

    /// <summary>SHA-256 (hex) of the root every cluster should share.</summary>
    public string RootFingerprint { get; init; } = "";

    public string IntermediateSubject { get; init; } = "";

    public DateTime? IntermediateNotAfter { get; init; }

    /// <summary>Why the intermediate was (re)issued or kept, in words.</summary>
    public string Reason { get; init; } = "";

    public IstiodRestartState IstiodRestart { get; init; }

    /// <summary>SHA-256 fingerprints of the roots in istio-system/istio-ca-root-cert (what workloads trust) after the run.</summary>
    public string[] ServedRootFingerprints { get; init; } = [];

    /// <summary>Pods with an Istio proxy (sidecars and gateways) started before istiod loaded the new root.</summary>
    public int ProxyPodsBeforeRestart { get; init; }

    /// <summary>The commands that restart those workloads (one per namespace); not run by the module.</summary>
    public string[] WorkloadRestartCommands { get; init; } = [];

    /// <summary>Files written with -OutputDirectory.</summary>
    public string[] Files { get; init; } = [];

    /// <summary>Revision, network, mesh id and fleet project pass through for the next step of a pipeline.</summary>
    public string? Revision { get; init; }

    public override string ToString() => $"{Context}: cacerts {Outcome}, istiod {IstiodRestart}";
}
