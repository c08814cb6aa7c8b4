using System.Globalization;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Probe;

/// <summary>One call the probe pod makes: to a peer's API server (through a mounted remote secret) or to its gateway.</summary>
internal abstract record ProbeSpec(string PeerId)
{
    public abstract string Render();
}

/// <summary>
/// GET /version, then list services, at the server written in the remote secret, with that secret's CA, TLS server
/// name and token - the first calls istiod makes (docs/design/in-cluster-probes.md). The kubeconfig is read inside
/// the pod from the mounted secret, so the token never leaves the cluster nor appears in the exec request.
/// </summary>
/// <remarks>
/// Before New-Mesh (Test-MeshPrerequisite) there is no secret: <see cref="KubeconfigPath"/> is null, the call is
/// `api|id|server|-|-|&lt;CA variable or -&gt;` and the pod sends GET /version only, anonymously, verifying the server with
/// the peer's cluster CA carried in a container variable of its own (docs/design/prerequisites.md).
/// </remarks>
internal sealed record ApiServerSpec(string PeerId, string Server, string? TlsServerName, string? KubeconfigPath, string? CaPem = null) : ProbeSpec(PeerId)
{
    /// <summary>True before linking: no secret, no token, only GET /version.</summary>
    public bool Unlinked => KubeconfigPath is null;

    /// <summary>The container variable holding <see cref="CaPem"/> (one per distinct CA, named by its hash), or null.</summary>
    public string? CaVariable => string.IsNullOrEmpty(CaPem) ? null
        : "HYBRIDMESH_PROBE_CA_" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(CaPem)))[..12];

    public override string Render() => $"api|{PeerId}|{Server}|{(string.IsNullOrEmpty(TlsServerName) ? "-" : TlsServerName)}|" +
        (Unlinked ? $"-|{CaVariable ?? "-"}" : KubeconfigPath);
}

/// <summary>TCP connect to the peer's east-west gateway on 15443, then GET :15021/healthz/ready.</summary>
internal sealed record GatewaySpec(string PeerId, string Address) : ProbeSpec(PeerId)
{
    public override string Render() => $"gw|{PeerId}|{Address}";
}

/// <summary>One line the script printed for one step.</summary>
internal sealed record ProbeLine(string Kind, string PeerId, string Step, int CurlExit, int HttpCode, double ConnectSeconds, double TotalSeconds, string Error);

/// <summary>
/// The probe pod's command: a POSIX sh script run with `sh -c` (curl image), one line per call, all calls at once
/// (so a fully partitioned cluster costs one timeout, not one per peer), one line per step:
/// <c>PROBE|kind|peer|step|curl exit|http code|connect s|total s|curl's error</c>. The lab's kubelet answers the same
/// command from its network model.
/// </summary>
internal static class ProbeScript
{
    public const string Name = "hybridmesh-probe";

    public const string Script = """
        t="$1"; shift
        D=$(mktemp -d)
        one() {
          kind=${1%%|*}; rest=${1#*|}
          id=${rest%%|*}; rest=${rest#*|}
          d=$(mktemp -d)
          W='%{http_code}|%{time_connect}|%{time_total}'
          if [ "$kind" = api ]; then
            server=${rest%%|*}; rest=${rest#*|}
            sni=${rest%%|*}; kc=${rest#*|}; steps="version services"
            case "$kc" in
              "-|"*)
                cav=${kc#-|}; steps=version; : > "$d/h"
                [ "$cav" = - ] || eval "printf '%s\n' \"\$$cav\"" > "$d/ca.pem" ;;
              *)
                sed -n 's/^[[:space:]]*certificate-authority-data:[[:space:]]*//p' "$kc" 2>/dev/null | head -n 1 | tr -d "\"' " | base64 -d > "$d/ca.pem" 2>/dev/null
                tok=$(sed -n 's/^[[:space:]]*token:[[:space:]]*//p' "$kc" 2>/dev/null | head -n 1 | tr -d "\"' ")
                printf 'Authorization: Bearer %s\n' "$tok" > "$d/h" ;;
            esac
            ca=""; [ -s "$d/ca.pem" ] && ca="--cacert $d/ca.pem"
            url=${server%/}; ct=""
            if [ "$sni" != "-" ]; then
              hp=${server#*://}; hp=${hp%%/*}; port=${hp##*:}; [ "$port" = "$hp" ] && port=443; host=${hp%:*}
              url="https://$sni:$port"; ct="--connect-to $sni:$port:$host:$port"
            fi
            for step in $steps; do
              p=/version; [ "$step" = services ] && p='/api/v1/services?limit=1'
              w=$(curl -sS -o /dev/null -w "$W" --connect-timeout "$t" -m "$t" $ca $ct -H "@$d/h" "$url$p" 2>"$d/e"); rc=$?; [ -n "$w" ] || w="000|0|0"
              echo "PROBE|api|$id|$step|$rc|$w|$(head -c 300 "$d/e" | tr '\n|' '  ')"
            done
          else
            w=$(curl -sk -o /dev/null -w "$W" --connect-timeout "$t" -m "$t" "https://$rest:15443/" 2>"$d/e"); rc=$?; [ -n "$w" ] || w="000|0|0"
            echo "PROBE|gw|$id|tcp15443|$rc|$w|$(head -c 300 "$d/e" | tr '\n|' '  ')"
            w=$(curl -sS -o /dev/null -w "$W" --connect-timeout "$t" -m "$t" "http://$rest:15021/healthz/ready" 2>"$d/e"); rc=$?; [ -n "$w" ] || w="000|0|0"
            echo "PROBE|gw|$id|healthz|$rc|$w|$(head -c 300 "$d/e" | tr '\n|' '  ')"
          fi
          rm -rf "$d"
        }
        printf '%s\n' "$HYBRIDMESH_PROBE_CALLS" > "$D/calls"
        i=0
        while IFS= read -r spec; do [ -n "$spec" ] || continue; i=$((i+1)); one "$spec" > "$D/$i" & done < "$D/calls"
        wait
        cat "$D"/[0-9]* 2>/dev/null
        rm -rf "$D"
        """;

    /// <summary>Environment variable of the probe container holding <see cref="Script"/>.</summary>
    public const string ScriptVariable = "HYBRIDMESH_PROBE";

    /// <summary>Environment variable of the probe container holding the calls, one per line.</summary>
    public const string CallsVariable = "HYBRIDMESH_PROBE_CALLS";

    /// <summary>
    /// The exec command: `sh -c 'eval "$HYBRIDMESH_PROBE"' hybridmesh-probe STEP_TIMEOUT`. The script and the calls
    /// travel in the pod's environment, not in the exec URL: the command stays a few bytes whatever the number of
    /// peers (an exec request carries its command in the query string, which API servers and proxies limit and
    /// audit logs record).
    /// </summary>
    public static IReadOnlyList<string> Command(int stepTimeoutSeconds) =>
        ["sh", "-c", $"eval \"${ScriptVariable}\"", Name, stepTimeoutSeconds.ToString(CultureInfo.InvariantCulture)];

    /// <summary>The calls as the pod's environment carries them.</summary>
    public static string Calls(IEnumerable<ProbeSpec> specs) => string.Join("\n", specs.Select(s => s.Render()));

    public static IReadOnlyList<ProbeLine> Parse(string stdout)
    {
        var lines = new List<ProbeLine>();
        foreach (var raw in stdout.Split('\n'))
        {
            var f = raw.TrimEnd('\r').Split('|');
            if (f.Length < 9 || f[0] != "PROBE")
            {
                continue;
            }

            lines.Add(new ProbeLine(f[1], f[2], f[3], Int(f[4], -1), Int(f[5], 0), Seconds(f[6]), Seconds(f[7]),
                string.Join("|", f[8..]).Trim()));
        }

        return lines;
    }

    /// <summary>curl's exit code and HTTP status as an error class (curl's libcurl-errors list).</summary>
    public static MeshProbeError Classify(int curlExit, int httpCode) => curlExit switch
    {
        0 => httpCode switch
        {
            >= 200 and < 300 => MeshProbeError.None,
            401 => MeshProbeError.Unauthorized,
            403 => MeshProbeError.Forbidden,
            _ => MeshProbeError.HttpStatus,
        },
        6 => MeshProbeError.Dns,
        7 => MeshProbeError.Refused,
        28 => MeshProbeError.Timeout,
        35 or 51 or 53 or 54 or 58 or 59 or 60 or 64 or 66 or 77 or 80 or 82 or 83 or 90 or 91 => MeshProbeError.Tls,
        _ => MeshProbeError.Other,
    };

    private static int Int(string s, int fallback) => int.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    private static double Seconds(string s) => double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
