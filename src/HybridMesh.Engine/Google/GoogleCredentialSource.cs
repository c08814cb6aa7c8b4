using System.Runtime.InteropServices;
using System.Security;
using System.Text.Json;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;
using HybridMesh.Engine.Errors;

namespace HybridMesh.Engine.Google;

/// <summary>
/// Finds the credentials every Google call uses: the caller's access token, or application default credentials.
/// </summary>
/// <remarks>
/// ADC is looked up in the documented order (GOOGLE_APPLICATION_CREDENTIALS, gcloud's well-known file, the GCE
/// metadata server) on every call instead of through GoogleCredential.GetApplicationDefaultAsync, because that method
/// caches its first answer for the life of the process: in a long PowerShell session a lookup made before
/// 'gcloud auth application-default login' would otherwise keep failing until the session is restarted.
/// The file itself is parsed by Google.Apis.Auth (CredentialFactory), so token_uri, key ids and quota projects
/// behave exactly as the library defines them.
/// </remarks>
internal static class GoogleCredentialSource
{
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
    public const string CredentialsVariable = "GOOGLE_APPLICATION_CREDENTIALS";

    public static async Task<IConfigurableHttpClientInitializer> ResolveAsync(GoogleApiOptions options,
        CancellationToken cancellationToken)
    {
        if (options.AccessToken is { } token)
        {
            if (token.Length == 0)
            {
                throw MeshErrors.AccessTokenEmpty();
            }

            return new SecureAccessTokenInitializer(token);
        }

        var read = options.EnvironmentReader ?? Environment.GetEnvironmentVariable;
        var credential = await FindApplicationDefaultAsync(read, cancellationToken).ConfigureAwait(false);
        // Scoped: a service account then asks token_uri for an OAuth2 token (unscoped it would sign its own JWTs).
        return credential.CreateScoped(CloudPlatformScope);
    }

    private static async Task<GoogleCredential> FindApplicationDefaultAsync(Func<string, string?> read,
        CancellationToken cancellationToken)
    {
        var explicitFile = read(CredentialsVariable);
        if (!string.IsNullOrWhiteSpace(explicitFile))
        {
            if (!File.Exists(explicitFile))
            {
                throw MeshErrors.CredentialFileInvalid(explicitFile,
                    new FileNotFoundException($"{CredentialsVariable} names a file that does not exist."));
            }

            return await LoadFileAsync(explicitFile, cancellationToken).ConfigureAwait(false);
        }

        var wellKnown = WellKnownFile(read);
        if (wellKnown is not null && File.Exists(wellKnown))
        {
            return await LoadFileAsync(wellKnown, cancellationToken).ConfigureAwait(false);
        }

        // Honours GCE_METADATA_HOST; Google.Apis.Auth caches this probe per process, which is right: the machine
        // does not move between calls.
        if (await ComputeCredential.IsRunningOnComputeEngine().WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            return GoogleCredential.FromComputeCredential();
        }

        throw MeshErrors.CredentialsNotFound(null);
    }

    // gcloud's config directory: CLOUDSDK_CONFIG, else %APPDATA%\gcloud on Windows, else ~/.config/gcloud.
    private static string? WellKnownFile(Func<string, string?> read)
    {
        var config = read("CLOUDSDK_CONFIG");
        if (string.IsNullOrWhiteSpace(config))
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                var appData = read("APPDATA");
                config = string.IsNullOrWhiteSpace(appData) ? null : Path.Combine(appData, "gcloud");
            }
            else
            {
                var home = read("HOME");
                config = string.IsNullOrWhiteSpace(home) ? null : Path.Combine(home, ".config", "gcloud");
            }
        }

        return config is null ? null : Path.Combine(config, "application_default_credentials.json");
    }

    private static async Task<GoogleCredential> LoadFileAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            string? type;
            await using (var stream = File.OpenRead(path))
            {
                using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
                type = document.RootElement.TryGetProperty("type", out var value) ? value.GetString() : null;
            }

            if (string.IsNullOrEmpty(type))
            {
                throw new InvalidDataException("The file has no \"type\" field.");
            }

            return await CredentialFactory.FromFileAsync(path, type, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The library's messages describe the file's structure, never key material.
            throw MeshErrors.CredentialFileInvalid(path, ex);
        }
    }
}

/// <summary>
/// Puts a caller-supplied access token on each request. The SecureString is decoded only while the header is
/// written, and the plain copy is never kept in a field, logged or put in a message.
/// </summary>
internal sealed class SecureAccessTokenInitializer : IConfigurableHttpClientInitializer, IHttpExecuteInterceptor
{
    private readonly SecureString _token;

    public SecureAccessTokenInitializer(SecureString token) => _token = token;

    public void Initialize(ConfigurableHttpClient httpClient) =>
        httpClient.MessageHandler.AddExecuteInterceptor(this);

    public Task InterceptAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var pointer = IntPtr.Zero;
        try
        {
            pointer = Marshal.SecureStringToGlobalAllocUnicode(_token);
            request.Headers.Authorization =
                new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Marshal.PtrToStringUni(pointer));
        }
        finally
        {
            if (pointer != IntPtr.Zero)
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }

        return Task.CompletedTask;
    }
}
