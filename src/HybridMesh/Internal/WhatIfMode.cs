using System.Management.Automation;
using System.Reflection;

namespace HybridMesh.Internal;

/// <summary>
/// Whether ShouldProcess declines every change of this cmdlet call with "What if", decided by the rule PowerShell's
/// own command runtime applies to a compiled cmdlet: only a cmdlet that supports ShouldProcess has the mode; a bound
/// -WhatIf wins, also -WhatIf:$false (from the command line, splatting or $PSDefaultParameterValues); otherwise
/// $WhatIfPreference as seen from the caller's scope, so a script's $WhatIfPreference = $true or an advanced
/// function called with -WhatIf turns it on too. Read once on the pipeline thread by <see cref="PumpSink"/>, which
/// is the only place the Engine learns it from (docs/design/what-if.md).
/// </summary>
internal static class WhatIfMode
{
    public static bool IsOn(PSCmdlet cmdlet)
    {
        if (cmdlet.GetType().GetCustomAttribute<CmdletAttribute>() is not { SupportsShouldProcess: true })
        {
            return false;
        }

        return cmdlet.MyInvocation.BoundParameters.TryGetValue("WhatIf", out var bound)
            ? LanguagePrimitives.IsTrue(bound)
            : LanguagePrimitives.IsTrue(cmdlet.GetVariableValue("WhatIfPreference"));
    }
}
