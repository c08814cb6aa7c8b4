using System.Runtime.InteropServices;
using System.Security;

namespace HybridMesh.Internal;

/// <summary>
/// A SecureString password, unwrapped only for the moment a key is encrypted or decrypted, into a buffer that is
/// zeroed afterwards; it is never turned into a managed string that would linger in memory or reach a stream.
/// </summary>
internal static class SecurePassword
{
    public delegate T SpanFunc<T>(ReadOnlySpan<char> password);

    public static T Use<T>(SecureString? password, SpanFunc<T> work)
    {
        if (password is null || password.Length == 0)
        {
            return work(ReadOnlySpan<char>.Empty);
        }

        var pointer = Marshal.SecureStringToGlobalAllocUnicode(password);
        var buffer = new char[password.Length];
        try
        {
            Marshal.Copy(pointer, buffer, 0, buffer.Length);
            return work(buffer);
        }
        finally
        {
            Array.Clear(buffer);
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }
}
