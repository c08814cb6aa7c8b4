using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using HybridMesh.Engine.Completion;

namespace HybridMesh.Completion;

/// <summary>
/// Tab completion for -Revision: the Istio revisions installed on the clusters the command line names, read live
/// only when the clusters answer within a short budget; otherwise nothing (a completer must not hang the prompt).
/// </summary>
public sealed class RevisionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = CompletionInput.Prefix(wordToComplete);
        return ClusterCompletion.QuickDetails(CompletionInput.Clusters(fakeBoundParameters))
            .SelectMany(c => c.Details?.IstioRevisions ?? [])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Where(r => r.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(r => CompletionInput.Result(r))
            .ToArray();
    }
}
