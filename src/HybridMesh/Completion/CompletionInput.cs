using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using HybridMesh.Models;

namespace HybridMesh.Completion;

/// <summary>
/// What the command line typed so far says about the clusters, for completers: -Kubeconfig resolved against
/// PowerShell's current location (Set-Location changes it, the process directory does not follow), and -Context.
/// </summary>
internal static class CompletionInput
{
    public static string[] Kubeconfig(IDictionary? fakeBoundParameters) =>
        Strings(fakeBoundParameters, "Kubeconfig")
            .SelectMany(KubeconfigList.Split)
            .Select(ResolveInSession)
            .ToArray();

    public static string[] Contexts(IDictionary? fakeBoundParameters) => Strings(fakeBoundParameters, "Context");

    /// <summary>The clusters the command line names (its -Kubeconfig and -Context), offline.</summary>
    public static IReadOnlyList<MeshCluster> Clusters(IDictionary? fakeBoundParameters) =>
        Engine.Completion.ClusterCompletion.Clusters(Kubeconfig(fakeBoundParameters), Contexts(fakeBoundParameters));

    public static string Prefix(string? wordToComplete) => (wordToComplete ?? "").Trim('\'', '"');

    public static CompletionResult Result(string value, string? listItem = null, string? tooltip = null)
    {
        var text = NeedsQuotes(value) ? Quote(value) : value;
        return new CompletionResult(text, listItem ?? value, CompletionResultType.ParameterValue, tooltip ?? value);
    }

    public static string Quote(string value) => $"'{value.Replace("'", "''")}'";

    // Characters that end or change a bare argument word; '@' and '-' matter only in first position.
    private static bool NeedsQuotes(string name) =>
        name.IndexOfAny([' ', '\t', '$', '\'', '"', ';', ',', '(', ')', '{', '}', '|', '&', '`', '#', '<', '>']) >= 0
        || name.StartsWith('@') || name.StartsWith('-');

    private static string[] Strings(IDictionary? parameters, string name)
    {
        if (parameters is null || !parameters.Contains(name))
        {
            return [];
        }

        var value = parameters[name] is PSObject wrapped ? wrapped.BaseObject : parameters[name];
        return value switch
        {
            string one => [one],
            IEnumerable many => many.Cast<object?>().Select(o => (o is PSObject p ? p.BaseObject : o)?.ToString() ?? "")
                .Where(s => s.Length > 0).ToArray(),
            null => [],
            var other => [other.ToString() ?? ""],
        };
    }

    /// <summary>
    /// A path as the cmdlet will resolve it: ~, PSDrives and relative paths against the session's current location.
    /// Completers run on the pipeline thread of the runspace, so a nested command on the current runspace is allowed.
    /// </summary>
    private static string ResolveInSession(string path)
    {
        try
        {
            if (Runspace.DefaultRunspace is not null)
            {
                using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
                shell.AddScript("param($p) $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p)")
                    .AddArgument(path);
                var resolved = shell.Invoke();
                if (!shell.HadErrors && resolved.Count == 1 && resolved[0]?.BaseObject is string text && text.Length > 0)
                {
                    return text;
                }
            }
        }
        catch (Exception)
        {
            // Fall through to the process's view of the path.
        }

        return path.StartsWith('~')
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~', '/', '\\'))
            : Path.GetFullPath(path);
    }
}
