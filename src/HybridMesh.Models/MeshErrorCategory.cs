namespace HybridMesh.Models;

/// <summary>
/// Mirrors the PowerShell ErrorCategory values the module uses, so the Engine (which must not reference
/// System.Management.Automation) can classify failures. The cmdlet layer maps it one to one.
/// </summary>
public enum MeshErrorCategory
{
    NotSpecified,
    InvalidArgument,
    InvalidData,
    ObjectNotFound,
    PermissionDenied,
    AuthenticationError,
    ConnectionError,
    OperationTimeout,
    ResourceUnavailable,
    InvalidOperation,
    ResourceExists,
    NotInstalled,
    InvalidResult,
    WriteError,
}
