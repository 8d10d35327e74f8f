using System.Net;
using System.Net.Sockets;

namespace TradeSim.Silo.Hosting;

/// <summary>A port a silo was asked to use cannot be had: another process (often another silo) listens on it.</summary>
public sealed class PortInUseException(string message) : Exception(message);

/// <summary>
/// Port checks made before an Orleans silo starts. Orleans binds its listeners with address reuse, which on Linux
/// lets a second silo bind ports that a running silo holds and start silently, the kernel then splitting connections
/// between the two. A plain bind (no reuse) fails on a port that anyone listens on, so trying one first turns that
/// into a clear error.
/// </summary>
public static class SiloPorts
{
    /// <summary>
    /// Throws <see cref="PortInUseException"/> naming the option to change when the port is taken. The port is tried
    /// on every address, so a listener on any one address of this machine (loopback included) counts.
    /// </summary>
    public static void EnsureFree(IPAddress address, int port, string what, string option)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (port == 0)
        {
            return;
        }

        try
        {
            using var reachable = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            reachable.Bind(new IPEndPoint(address, 0));
            // The probe is of the address's family: an IPv4 probe does not meet a listener on an IPv6 address (::1).
            // An IPv6 probe is dual-mode, so that it meets IPv4 listeners too.
            var ipv6 = address.AddressFamily == AddressFamily.InterNetworkV6;
            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (ipv6)
            {
                probe.DualMode = true;
            }

            probe.Bind(new IPEndPoint(ipv6 ? IPAddress.IPv6Any : IPAddress.Any, port));
            probe.Listen(1);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            throw new PortInUseException(
                $"{what} port {port} on {address} is {(e.SocketErrorCode == SocketError.AccessDenied ? "not allowed" : "already in use (another silo, or another program)")}: choose another with {option}");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            throw new PortInUseException($"{what} address {address} is not an address of this machine: expected one of its addresses with --address");
        }
    }

    /// <summary>A free TCP port on the loopback address, picked by the operating system.</summary>
    public static int FreeLoopbackPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
