using System.Text;
using System.Text.Json.Nodes;
using HybridMesh.Engine.Manifests;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Certificates;

/// <summary>
/// The Secret istio-system/cacerts with the four keys istiod reads at start (docs/design/shared-root.md), as
/// `asmcli install --ca citadel` would create it, plus the module's managed-by label.
/// </summary>
internal static class CaCertsSecret
{
    /// <summary>
    /// The Secret for an intermediate. Without <paramref name="includeKey"/> (a manifest printed without
    /// -IncludeCredentials) ca-key.pem is left out, so the manifest can be reviewed but not applied as is.
    /// </summary>
    public static JsonObject Render(IssuedIntermediate issued, bool includeKey)
    {
        var data = new JsonObject
        {
            [CaCertsBundle.CertKey] = Base64(issued.CertificatePem),
        };
        if (includeKey)
        {
            data[CaCertsBundle.KeyKey] = Base64(issued.KeyPem);
        }

        data[CaCertsBundle.RootKey] = Base64(issued.RootPem);
        data[CaCertsBundle.ChainKey] = Base64(issued.ChainPem);
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject
            {
                ["name"] = CaCertsBundle.SecretName,
                ["namespace"] = IstioNames.SystemNamespace,
                ["labels"] = new JsonObject { [ManifestLabels.ManagedByKey] = ManifestLabels.ManagedByValue },
            },
            ["type"] = "Opaque",
            ["data"] = data,
        };
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
