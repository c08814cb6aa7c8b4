using System.Globalization;
using System.Text;
using System.Xml;
using HybridMesh.Models;

namespace HybridMesh.Engine.Steps.Report;

/// <summary>
/// Test-MeshConnectivity -JUnitPath: the checks and the traffic test as a JUnit XML report, the format CI systems
/// (GitLab, Jenkins, Azure Pipelines, GitHub test reporters) read; Cilium's connectivity test writes the same with
/// --junit-file. One testcase per check, and one per traffic pair (client cluster, helloworld version). Mapping and
/// reasons: docs/design/ci-output.md.
/// </summary>
public static class JUnitReport
{
    public const string SuiteName = "Test-MeshConnectivity";

    /// <summary>The report as a string (UTF-8 declaration, LF line endings, no credential: checks never carry one).</summary>
    public static string Render(IReadOnlyList<MeshCheck> checks, IReadOnlyList<MeshTrafficResult> traffic, TimeSpan duration,
        DateTimeOffset started)
    {
        var cases = checks.Select(FromCheck).Concat(traffic.SelectMany(FromTraffic)).ToArray();
        var failures = cases.Count(c => c.Failure is not null);
        var skipped = cases.Count(c => c.Skipped is not null);
        var time = duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

        var settings = new XmlWriterSettings
        {
            Indent = true,
            NewLineChars = "\n",
            Encoding = new UTF8Encoding(false),
        };
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("testsuites");
            xml.WriteAttributeString("name", "HybridMesh");
            xml.WriteAttributeString("tests", Count(cases.Length));
            xml.WriteAttributeString("failures", Count(failures));
            xml.WriteAttributeString("errors", "0");
            xml.WriteAttributeString("skipped", Count(skipped));
            xml.WriteAttributeString("time", time);

            xml.WriteStartElement("testsuite");
            xml.WriteAttributeString("name", SuiteName);
            xml.WriteAttributeString("tests", Count(cases.Length));
            xml.WriteAttributeString("failures", Count(failures));
            xml.WriteAttributeString("errors", "0");
            xml.WriteAttributeString("skipped", Count(skipped));
            xml.WriteAttributeString("time", time);
            xml.WriteAttributeString("timestamp", started.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
            foreach (var c in cases)
            {
                xml.WriteStartElement("testcase");
                xml.WriteAttributeString("classname", c.ClassName);
                xml.WriteAttributeString("name", c.Name);
                xml.WriteAttributeString("time", "0");
                if (c.Failure is { } failure)
                {
                    xml.WriteStartElement("failure");
                    xml.WriteAttributeString("type", failure.Type);
                    xml.WriteAttributeString("message", failure.Message);
                    xml.WriteString(failure.Body);
                    xml.WriteEndElement();
                }
                else if (c.Skipped is { } skip)
                {
                    xml.WriteStartElement("skipped");
                    xml.WriteAttributeString("message", skip);
                    xml.WriteEndElement();
                }

                if (c.Output is { } output)
                {
                    xml.WriteElementString("system-out", output);
                }

                xml.WriteEndElement();
            }

            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private sealed record Failure(string Type, string Message, string Body);

    private sealed record Case(string ClassName, string Name, Failure? Failure, string? Skipped, string? Output);

    private static Case FromCheck(MeshCheck check)
    {
        var name = check.Peer is null ? $"{check.Check} [{check.Cluster}]" : $"{check.Check} [{check.Cluster} -> {check.Peer}]";
        var body = check.RecommendedAction is null ? check.Detail : $"{check.Detail}\nRecommendedAction: {check.RecommendedAction}";
        return check.Status switch
        {
            MeshCheckStatus.Failed => new Case("HybridMesh.Check." + check.Check, name,
                new Failure(nameof(MeshCheckStatus.Failed), check.Detail, body), null, null),
            MeshCheckStatus.Skipped => new Case("HybridMesh.Check." + check.Check, name, null, check.Detail, null),
            // JUnit has no "warning": the case passes and says why in system-out (-FailOn Warning fails the run instead).
            MeshCheckStatus.Warning => new Case("HybridMesh.Check." + check.Check, name, null, null, "Warning: " + body),
            _ => new Case("HybridMesh.Check." + check.Check, name, null, null, null),
        };
    }

    private static IEnumerable<Case> FromTraffic(MeshTrafficResult result)
    {
        // A client that could not be asked at all has no pairs: one failed case says why.
        if (result.Reached.Length == 0 && result.Missing.Length == 0)
        {
            var detail = result.Responses.Length == 0 ? "no answer" : string.Join("\n", result.Responses);
            var body = result.RecommendedAction is null ? detail : $"{detail}\nRecommendedAction: {result.RecommendedAction}";
            yield return new Case("HybridMesh.Traffic", $"Traffic [{result.From}]",
                new Failure(nameof(MeshCheckStatus.Failed), $"{result.From}: the client reached no helloworld version", body), null, null);
            yield break;
        }

        foreach (var version in result.Reached)
        {
            yield return new Case("HybridMesh.Traffic", $"Traffic [{result.From} -> helloworld {version}]", null, null, null);
        }

        foreach (var version in result.Missing)
        {
            var message = $"{result.From} never reached helloworld {version} in {result.Responses.Length} call(s)";
            var action = result.RecommendedAction
                ?? "Run Test-MeshConnectivity without -Traffic and fix the Failed checks of this client's cluster and of the cluster serving this version (remote secret, east-west gateway, cross-network Gateway, shared root).";
            yield return new Case("HybridMesh.Traffic", $"Traffic [{result.From} -> helloworld {version}]",
                new Failure(nameof(MeshCheckStatus.Failed), message,
                    $"{message}. Answers: {string.Join(" | ", result.Responses.Take(10))}\nRecommendedAction: {action}"), null, null);
        }
    }
}
