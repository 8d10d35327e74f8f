using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;

namespace TradeSim.Client.Tests;

/// <summary>
/// Headless Chromium, to see a page as a reader's browser does: the DOM after parsing, and a screenshot. Chromium is
/// a test dependency that scripts/install-chromium.sh installs (scripts/test.sh calls it); a missing browser fails
/// the tests that need it rather than skipping them, so a machine without it cannot pass unnoticed.
/// </summary>
public static class Chromium
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Flags that keep a run offline and self-contained: no sandbox (tests may run as root), no GPU, and none of the
    /// background traffic a browser makes on start. The profile lives in a folder of the caller's, not in $HOME.
    /// </summary>
    private static readonly string[] CommonFlags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    ];

    /// <summary>The chromium on PATH; fails the test with what to do when there is none.</summary>
    public static string Executable()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "chromium"))
            .FirstOrDefault(File.Exists);
        Assert.True(path is not null, "chromium is not on PATH: the HTML report tests need it; run scripts/install-chromium.sh (scripts/test.sh does) and try again");
        return path;
    }

    /// <summary>The DOM of a page after Chromium parsed it (and ran anything it would run), serialised.</summary>
    public static string DumpDom(string htmlPath, string profileDirectory)
    {
        var (stdout, stderr) = Run([.. CommonFlags, $"--user-data-dir={profileDirectory}", "--dump-dom", FileUrl(htmlPath)]);
        Assert.True(stdout.Contains("</html>", StringComparison.OrdinalIgnoreCase), $"chromium --dump-dom printed no document\n--- stderr ---\n{stderr}");
        return stdout;
    }

    /// <summary>A screenshot of the top <paramref name="height"/> pixels of a page rendered <paramref name="width"/> pixels wide.</summary>
    public static RgbImage Screenshot(string htmlPath, string pngPath, int width, int height, string profileDirectory)
    {
        var (_, stderr) = Run([.. CommonFlags, $"--user-data-dir={profileDirectory}", $"--screenshot={pngPath}", $"--window-size={width},{height}", FileUrl(htmlPath)]);
        Assert.True(File.Exists(pngPath), $"chromium wrote no screenshot to {pngPath}\n--- stderr ---\n{stderr}");
        return RgbImage.DecodePng(File.ReadAllBytes(pngPath));
    }

    private static string FileUrl(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;

    /// <summary>Runs chromium to the end, or kills it (with every process it started) after 60 s and fails the test.</summary>
    private static (string Stdout, string Stderr) Run(IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(Executable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;

        // Both streams are drained concurrently: a full stderr pipe would otherwise stall the browser.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"chromium did not finish within {Timeout.TotalSeconds} s and was killed: {string.Join(' ', arguments)}");
        }

        process.WaitForExit();
        return (stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}

/// <summary>An 8-bit RGB image decoded from a PNG (alpha, when present, is dropped).</summary>
public sealed class RgbImage(int width, int height, byte[] rgb)
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    public int Width { get; } = width;

    public int Height { get; } = height;

    public (byte R, byte G, byte B) Pixel(int x, int y)
    {
        var i = ((y * Width) + x) * 3;
        return (rgb[i], rgb[i + 1], rgb[i + 2]);
    }

    /// <summary>Pixels within <paramref name="tolerance"/> of a colour written #RRGGBB, on every channel.</summary>
    public int CountColour(string hex, int tolerance = 2)
    {
        var r = Convert.ToInt32(hex[1..3], 16);
        var g = Convert.ToInt32(hex[3..5], 16);
        var b = Convert.ToInt32(hex[5..7], 16);
        var count = 0;
        for (var i = 0; i < rgb.Length; i += 3)
        {
            if (Math.Abs(rgb[i] - r) <= tolerance && Math.Abs(rgb[i + 1] - g) <= tolerance && Math.Abs(rgb[i + 2] - b) <= tolerance)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Decodes the PNGs Chromium writes: 8-bit truecolour (RGB or RGBA), not interlaced, any of the five row
    /// filters. Anything else fails loudly rather than decoding wrongly.
    /// </summary>
    public static RgbImage DecodePng(byte[] png)
    {
        Assert.True(png.AsSpan().StartsWith(Signature), "not a PNG file: the signature is missing");
        int width = 0, height = 0, channels = 0;
        using var compressed = new MemoryStream();
        for (var at = Signature.Length; at + 8 <= png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                var (bitDepth, colourType, interlace) = (data[8], data[9], data[12]);
                Assert.True(bitDepth == 8 && colourType is 2 or 6 && interlace == 0, $"unsupported PNG: bit depth {bitDepth}, colour type {colourType}, interlace {interlace}; expected 8-bit RGB or RGBA, not interlaced");
                channels = colourType == 6 ? 4 : 3;
            }
            else if (type == "IDAT")
            {
                compressed.Write(data);
            }
            else if (type == "IEND")
            {
                break;
            }

            at += 12 + length;
        }

        Assert.True(width > 0 && height > 0, "PNG without an IHDR chunk");
        compressed.Position = 0;
        using var inflate = new ZLibStream(compressed, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        inflate.CopyTo(raw);
        var bytes = raw.GetBuffer();
        var stride = width * channels;
        Assert.True(raw.Length >= (long)height * (stride + 1), $"PNG data too short: {raw.Length} bytes for {width}x{height}");

        var previous = new byte[stride];
        var current = new byte[stride];
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            var row = y * (stride + 1);
            var filter = bytes[row];
            Array.Copy(bytes, row + 1, current, 0, stride);
            Unfilter(filter, current, previous, channels);
            for (var x = 0; x < width; x++)
            {
                Array.Copy(current, x * channels, rgb, ((y * width) + x) * 3, 3);
            }

            (previous, current) = (current, previous);
        }

        return new RgbImage(width, height, rgb);
    }

    /// <summary>Reverses a row's filter in place (PNG spec, section 9): None, Sub, Up, Average, Paeth.</summary>
    private static void Unfilter(byte filter, byte[] row, byte[] above, int bpp)
    {
        for (var i = 0; i < row.Length; i++)
        {
            int left = i >= bpp ? row[i - bpp] : 0;
            int up = above[i];
            int upLeft = i >= bpp ? above[i - bpp] : 0;
            row[i] = filter switch
            {
                0 => row[i],
                1 => (byte)(row[i] + left),
                2 => (byte)(row[i] + up),
                3 => (byte)(row[i] + ((left + up) / 2)),
                4 => (byte)(row[i] + Paeth(left, up, upLeft)),
                _ => throw new InvalidDataException($"PNG row filter {filter}: expected 0 to 4"),
            };
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        var pa = Math.Abs(p - a);
        var pb = Math.Abs(p - b);
        var pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
