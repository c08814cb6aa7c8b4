using System.Management.Automation;

namespace HybridMesh.Internal;

/// <summary>
/// Whether this cmdlet call shows its verbose or debug stream: -Verbose/-Debug when given (also as :$false), else
/// $VerbosePreference/$DebugPreference as seen from the cmdlet's scope. Decided once, on the pipeline thread, so
/// Engine work can skip messages nobody will see (IMeshSink.ShowsVerbose; docs/design/scale.md).
/// </summary>
internal static class StreamPreference
{
    public static bool Shows(PSCmdlet cmdlet, string stream)
    {
        if (cmdlet.MyInvocation.BoundParameters.TryGetValue(stream, out var bound))
        {
            return ToBool(bound);
        }

        var preference = cmdlet.SessionState.PSVariable.GetValue(stream + "Preference");
        if (preference is PSObject wrapped)
        {
            preference = wrapped.BaseObject;
        }

        return preference switch
        {
            ActionPreference value => value is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore),
            string text when Enum.TryParse<ActionPreference>(text, ignoreCase: true, out var parsed) =>
                parsed is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore),
            // Unknown or unset: show, as before this check existed.
            _ => true,
        };
    }

    private static bool ToBool(object? value) => value switch
    {
        PSObject wrapped => ToBool(wrapped.BaseObject),
        SwitchParameter s => s.IsPresent,
        bool b => b,
        _ => true,
    };
}
