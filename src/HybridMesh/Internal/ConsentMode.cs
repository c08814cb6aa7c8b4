using System.Management.Automation;
using System.Reflection;

namespace HybridMesh.Internal;

/// <summary>
/// Whether ShouldProcess can only answer "yes" for this cmdlet call: no -WhatIf, no -Confirm, no $WhatIfPreference,
/// an impact below $ConfirmPreference and no -Verbose (ShouldProcess writes its own verbose line). Then Engine work
/// need not wait for the pipeline thread once per change — at 250 clusters that hand-off, per link, was a large part
/// of New-Mesh's time (docs/design/scale.md). With -WhatIf or -Confirm every real change still asks, as before.
/// Decided once, on the pipeline thread, before the Engine starts.
/// </summary>
internal static class ConsentMode
{
    public static bool AlwaysYes(PSCmdlet cmdlet)
    {
        var attribute = cmdlet.GetType().GetCustomAttribute<CmdletAttribute>();
        if (attribute is null || !attribute.SupportsShouldProcess)
        {
            return true;
        }

        // -WhatIf and $WhatIfPreference by the one rule the sink also answers IMeshSink.WhatIf by (WhatIfMode).
        var bound = cmdlet.MyInvocation.BoundParameters;
        if (WhatIfMode.IsOn(cmdlet) || IsOn(bound, "Confirm") || IsOn(bound, "Verbose") || IsOn(bound, "Debug"))
        {
            return false;
        }

        var variables = cmdlet.SessionState.PSVariable;

        if (!bound.ContainsKey("Verbose") &&
            variables.GetValue("VerbosePreference") is ActionPreference verbose && verbose != ActionPreference.SilentlyContinue)
        {
            return false;
        }

        if (bound.ContainsKey("Confirm"))
        {
            // -Confirm:$false: never prompts.
            return true;
        }

        var preference = variables.GetValue("ConfirmPreference") is ConfirmImpact p ? p : ConfirmImpact.High;
        return preference == ConfirmImpact.None || attribute.ConfirmImpact < preference;
    }

    private static bool IsOn(Dictionary<string, object> bound, string name) =>
        bound.TryGetValue(name, out var value) && ToBool(value);

    private static bool ToBool(object? value) => value switch
    {
        PSObject wrapped => ToBool(wrapped.BaseObject),
        SwitchParameter s => s.IsPresent,
        bool b => b,
        _ => false,
    };
}
