using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace HybridMesh.Engine.Manifests;

/// <summary>
/// The Kubernetes (apimachinery validation) and Istio name rules the renderers check before producing an object,
/// so a bad input fails here with a fix instead of as an opaque 422 from the API server halfway through an install.
/// </summary>
internal static partial class KubeNames
{
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123LabelPattern();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelValuePattern();

    [GeneratedRegex(@"^\d{1,3}(\.\d{1,3}){3}$")]
    private static partial Regex DottedQuadPattern();

    /// <summary>RFC 1123 label: namespaces, revisions, cluster names in remote secrets.</summary>
    public static bool IsDns1123Label(string? value) =>
        value is { Length: > 0 and <= 63 } && Dns1123LabelPattern().IsMatch(value);

    /// <summary>RFC 1123 subdomain: Secret names, annotation-key prefixes.</summary>
    public static bool IsDns1123Subdomain(string? value) =>
        value is { Length: > 0 and <= 253 } && value.Split('.').All(IsDns1123Label);

    /// <summary>Non-empty label value (Kubernetes allows empty ones, but an empty network or mesh id means nothing).</summary>
    public static bool IsLabelValue(string? value) =>
        value is { Length: > 0 and <= 63 } && LabelValuePattern().IsMatch(value);

    /// <summary>Label or annotation key: optional DNS-subdomain prefix, '/', then a name of at most 63 characters.</summary>
    public static bool IsQualifiedName(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        var slash = key.IndexOf('/');
        if (slash >= 0 && !IsDns1123Subdomain(key[..slash]))
        {
            return false;
        }

        var name = slash >= 0 ? key[(slash + 1)..] : key;
        return name.Length <= 63 && LabelValuePattern().IsMatch(name);
    }

    /// <summary>
    /// A literal IPv4 or IPv6 address. IPAddress.TryParse alone accepts "1" or "10.1" (classful shorthand), which the
    /// API server rejects, so IPv4 must be a dotted quad.
    /// </summary>
    public static bool IsIpAddress(string? value)
    {
        if (string.IsNullOrEmpty(value) || !IPAddress.TryParse(value, out var address))
        {
            return false;
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? value.Contains(':') && !value.Contains('%')
            : DottedQuadPattern().IsMatch(value);
    }

    /// <summary>
    /// An Istio Gateway server host: optional "namespace/" ("." and "*" allowed as namespace), then "*", "*.suffix" or
    /// a lowercase DNS name — the rules istio's validation applies to Gateway hosts.
    /// </summary>
    public static bool IsGatewayHost(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }

        var slash = host.IndexOf('/');
        var name = host;
        if (slash >= 0)
        {
            var ns = host[..slash];
            if (ns != "." && ns != "*" && !IsDns1123Label(ns))
            {
                return false;
            }

            name = host[(slash + 1)..];
        }

        if (name == "*")
        {
            return true;
        }

        if (name.StartsWith("*.", StringComparison.Ordinal))
        {
            name = name[2..];
        }

        return name.Length <= 253 && name.Split('.').All(IsDns1123Label);
    }
}
