using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using HybridMesh.Engine.Kube;

namespace HybridMesh.Completion;

/// <summary>
/// Tab completion for -Context: names from the kubeconfig files only (-Kubeconfig when already typed, else
/// $KUBECONFIG or ~/.kube/config). Offline and fast; never calls a cluster, never throws.
/// </summary>
public sealed class KubeContextCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var files = new List<string>();
        if (fakeBoundParameters is not null && fakeBoundParameters.Contains("Kubeconfig"))
        {
            switch (fakeBoundParameters["Kubeconfig"])
            {
                case string one:
                    files.Add(one);
                    break;
                case IEnumerable many:
                    files.AddRange(many.Cast<object>().Select(o => o?.ToString() ?? "").Where(s => s.Length > 0));
                    break;
            }
        }

        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        foreach (var name in ClusterDiscovery.CompleteContexts(files.Select(Expand).ToArray(), prefix))
        {
            var text = NeedsQuotes(name) ? $"'{name.Replace("'", "''")}'" : name;
            yield return new CompletionResult(text, name, CompletionResultType.ParameterValue, name);
        }
    }

    // Characters that end or change a bare argument word; '@' and '-' matter only in first position.
    private static bool NeedsQuotes(string name) =>
        name.IndexOfAny([' ', '\t', '$', '\'', '"', ';', ',', '(', ')', '{', '}', '|', '&', '`', '#', '<', '>']) >= 0
        || name.StartsWith('@') || name.StartsWith('-');

    private static string Expand(string path) =>
        path.StartsWith('~')
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~', '/', '\\'))
            : Path.GetFullPath(path);
}
