using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using HybridMesh.Engine.Completion;

namespace HybridMesh.Completion;

/// <summary>
/// Tab completion for parameters that name clusters of the command (-Leaving, -ServerOverride keys): contexts and
/// short names from the kubeconfig, plus Istio cluster names from clusters that answer within a short budget
/// (docs/design/cluster-names.md: any of the three names is accepted). For a hashtable parameter the completion
/// is the table to fill in, @{ 'name' = '' }.
/// </summary>
public sealed class ClusterNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var clusters = CompletionInput.Clusters(fakeBoundParameters);
        var withDetails = ClusterCompletion.QuickDetails(clusters);
        var names = (withDetails.Count > 0 ? withDetails.Concat(clusters) : clusters)
            .SelectMany(ClusterCompletion.Names)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        var prefix = CompletionInput.Prefix(wordToComplete).TrimStart('@', '{', ' ', '\'', '"');
        var hashtable = string.Equals(parameterName, "ServerOverride", StringComparison.OrdinalIgnoreCase);
        foreach (var name in names.Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            yield return hashtable
                ? new CompletionResult($"@{{ {CompletionInput.Quote(name)} = 'https://' }}", name,
                    CompletionResultType.ParameterValue, $"API server URL istiod elsewhere should use for {name}")
                : CompletionInput.Result(name);
        }
    }
}
