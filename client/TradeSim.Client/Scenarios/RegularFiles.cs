using System.Runtime.InteropServices;

namespace TradeSim.Client.Scenarios;

/// <summary>
/// What kind of file a path names, asked of the kernel (statx) without opening it: opening a FIFO blocks until a
/// writer comes, and .NET's file APIs do not tell a device or a FIFO from a regular file.
/// </summary>
internal static class RegularFiles
{
    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28;

    /// <summary>Null for a regular file (or when the kernel cannot say: the read that follows reports it); otherwise "a FIFO", "a device", ...</summary>
    public static string? KindOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // struct statx is 256 bytes on every architecture; stx_mode is the u16 at offset 28.
        var buffer = new byte[256];
        if (Statx(AtCurrentDirectory, path, 0, StatxType, buffer) != 0)
        {
            return null;
        }

        var type = BitConverter.ToUInt16(buffer, ModeOffset) & 0xF000;
        return type switch
        {
            0x8000 => null,
            0x1000 => "a FIFO (named pipe)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            0x4000 => "a directory",
            _ => "not a regular file",
        };
    }

    // DllImport rather than LibraryImport: the source-generated form needs unsafe code in the whole project.
    [DllImport("libc", EntryPoint = "statx")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
}
