using HybridMesh.Models;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Kube;

// Transport conditions of a Kubernetes API call, one type and one stable id each (the PSResourceGet pattern: callers
// catch a type, never compare id strings). KubeSession maps HTTP answers and connection failures to them through the
// MeshErrors factories, which keep the message and the fix; docs/design/kube-api-answers.md lists the answers.
// They stay internal: to PowerShell each is a MeshException with its id, as before.

/// <summary>404: the object (or its namespace) does not exist. Id KubeNotFound.</summary>
internal sealed class KubeNotFoundException(object? target, string message, string recommendedAction)
    : MeshException(nameof(MeshErrors.KubeNotFound), MeshErrorCategory.ObjectNotFound, target, message, recommendedAction);

/// <summary>403: RBAC denies the verb. Id KubeForbidden.</summary>
internal sealed class KubeForbiddenException(object? target, string message, string recommendedAction)
    : MeshException(nameof(MeshErrors.KubeForbidden), MeshErrorCategory.PermissionDenied, target, message, recommendedAction);

/// <summary>401: the server rejects the credentials. Id KubeUnauthorized.</summary>
internal sealed class KubeUnauthorizedException(object? target, string message, string recommendedAction)
    : MeshException(nameof(MeshErrors.KubeUnauthorized), MeshErrorCategory.AuthenticationError, target, message, recommendedAction);

/// <summary>409 Conflict (a changed resourceVersion, or fields another manager owns). Id KubeConflict.</summary>
internal sealed class KubeConflictException(object? target, string message, string recommendedAction)
    : MeshException(nameof(MeshErrors.KubeConflict), MeshErrorCategory.InvalidOperation, target, message, recommendedAction);

/// <summary>409 AlreadyExists: a create met an existing object. Id KubeAlreadyExists.</summary>
internal sealed class KubeAlreadyExistsException(object? target, string message, string recommendedAction)
    : MeshException(nameof(MeshErrors.KubeAlreadyExists), MeshErrorCategory.ResourceExists, target, message, recommendedAction);

/// <summary>No answer: refused, reset, timed out. Id ApiServerUnreachable; TLS failures are a kind of it.</summary>
internal class KubeUnreachableException : MeshException
{
    public KubeUnreachableException(object? target, string message, string recommendedAction, Exception? inner)
        : this(nameof(MeshErrors.ApiServerUnreachable), target, message, recommendedAction, inner)
    {
    }

    private protected KubeUnreachableException(string errorId, object? target, string message, string recommendedAction,
        Exception? inner)
        : base(errorId, MeshErrorCategory.ConnectionError, target, message, recommendedAction, inner)
    {
    }
}

/// <summary>The TLS handshake failed (untrusted or mismatched certificate). Id ApiServerTlsFailed.</summary>
internal sealed class KubeTlsFailedException(object? target, string message, string recommendedAction, Exception? inner)
    : KubeUnreachableException(nameof(MeshErrors.ApiServerTlsFailed), target, message, recommendedAction, inner);
