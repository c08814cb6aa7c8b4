using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using HybridMesh.Engine.Kube;

namespace HybridMesh.Completion;

/// <summary>
/// Tab completion for -Context: names from the kubeconfig files only (-Kubeconfig when already typed, resolved
/// against PowerShell's current location, else $KUBECONFIG or ~/.kube/config). Offline and fast; never calls a
/// cluster, never throws.
/// </summary>
public sealed class KubeContextCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var files = CompletionInput.Kubeconfig(fakeBoundParameters);
        foreach (var name in ClusterDiscovery.CompleteContexts(files, CompletionInput.Prefix(wordToComplete)))
        {
            yield return CompletionInput.Result(name);
        }
    }
}
