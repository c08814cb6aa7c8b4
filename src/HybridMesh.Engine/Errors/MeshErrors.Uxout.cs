using HybridMesh.Models;

namespace HybridMesh.Engine.Errors;

/// <summary>Errors of the CI-facing outputs: Test-MeshConnectivity -FailOn (docs/design/ci-output.md).</summary>
internal static partial class MeshErrors
{
    /// <summary>Test-MeshConnectivity -FailOn: at least one check (or traffic client) reached the given level.</summary>
    public static MeshException ConnectivityCheckFailed(string failOn, IReadOnlyList<string> failing, int total) => new(
        "ConnectivityCheckFailed", MeshErrorCategory.InvalidResult, string.Join(", ", failing.Take(5)),
        $"{failing.Count} of {total} connectivity result(s) are {failOn} or worse (-FailOn {failOn}): " +
        string.Join("; ", failing.Take(10)) + (failing.Count > 10 ? $"; and {failing.Count - 10} more" : "") + ".",
        "Read the RecommendedAction of each Failed or Warning check in the output (or in the -JUnitPath report), fix it, and run " +
        "Test-MeshConnectivity again; -Wait retries until everything passes.");

    /// <summary>Two switches that ask for different outputs were given together; nothing is chosen silently.</summary>
    public static MeshException ConflictingParameters(string first, string second, string fix) => new(
        "ConflictingParameters", MeshErrorCategory.InvalidArgument, $"{first} {second}",
        $"{first} and {second} cannot be used together: they ask for different outputs, and the command will not pick one for you.",
        fix);

    /// <summary>A parameter that only shapes -ManifestOnly output was given without it.</summary>
    public static MeshException ManifestOnlyRequired(string parameter, string manifestSwitch) => new(
        "ManifestOnlyRequired", MeshErrorCategory.InvalidArgument, parameter,
        $"{parameter} writes the manifests that {manifestSwitch} prints, but {manifestSwitch} was not given, so nothing would be written.",
        $"Add {manifestSwitch} to write the manifests to files, or leave out {parameter} to apply the objects to the clusters.");

    /// <summary>Test-MeshConnectivity -JUnitPath: the report file could not be written.</summary>
    public static MeshException ReportNotWritten(string path, string reason) => new(
        "ReportNotWritten", MeshErrorCategory.WriteError, path,
        $"The JUnit report could not be written to '{path}': {reason} The checks themselves ran and were written to the pipeline.",
        "Give -JUnitPath a file in a folder this account may write to (the folder is created when missing), not an existing folder.");
}
