using System.Net;
using System.Net.Sockets;
using TradeSim.Silo.Hosting;

namespace TradeSim.Silo.Tests;

/// <summary>
/// The port check made before a silo starts: Orleans binds with address reuse, so on Linux a second silo on a taken
/// port would start silently; the check turns that into an error naming the option to change.
/// </summary>
public sealed class SiloPortsTests
{
    [Fact]
    public void EnsureFree_AFreePort_Passes()
    {
        var port = SiloPorts.FreeLoopbackPort();

        SiloPorts.EnsureFree(IPAddress.Loopback, port, "silo", "--silo-port");

        // The check holds nothing: the port can be bound straight after.
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
    }

    [Fact]
    public void EnsureFree_PortZero_Passes()
    {
        // 0 asks the operating system for a port: nothing to check.
        SiloPorts.EnsureFree(IPAddress.Loopback, 0, "gateway", "--gateway-port");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EnsureFree_APortSomeoneListensOn_ThrowsNamingTheOption(bool listenerReusesAddress)
    {
        using var listener = Listen(IPAddress.Loopback, listenerReusesAddress);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var e = Assert.Throws<PortInUseException>(() => SiloPorts.EnsureFree(IPAddress.Loopback, port, "gateway", "--gateway-port"));

        Assert.Equal($"gateway port {port} on 127.0.0.1 is already in use (another silo, or another program): choose another with --gateway-port", e.Message);
    }

    [Fact]
    public void EnsureFree_APortTakenOnAnyAddress_Throws()
    {
        // Orleans' silo listens on one address; a check of the loopback address must see a listener on all of them.
        using var listener = Listen(IPAddress.Any, reuseAddress: true);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var e = Assert.Throws<PortInUseException>(() => SiloPorts.EnsureFree(IPAddress.Loopback, port, "silo", "--silo-port"));

        Assert.Contains("--silo-port", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EnsureFree_IPv6Loopback_APortSomeoneListensOn_Throws(bool listenerReusesAddress)
    {
        using var listener = Listen(IPAddress.IPv6Loopback, listenerReusesAddress);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var e = Assert.Throws<PortInUseException>(() => SiloPorts.EnsureFree(IPAddress.IPv6Loopback, port, "silo", "--silo-port"));

        Assert.Equal($"silo port {port} on ::1 is already in use (another silo, or another program): choose another with --silo-port", e.Message);
    }

    [Fact]
    public void EnsureFree_IPv6Loopback_APortTakenOnAnIPv4Address_Throws()
    {
        using var listener = Listen(IPAddress.Loopback, reuseAddress: true);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        Assert.Throws<PortInUseException>(() => SiloPorts.EnsureFree(IPAddress.IPv6Loopback, port, "silo", "--silo-port"));
    }

    [Fact]
    public void EnsureFree_AnAddressNotOfThisMachine_Throws()
    {
        var port = SiloPorts.FreeLoopbackPort();

        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): documentation only, never a host's address.
        var e = Assert.Throws<PortInUseException>(() => SiloPorts.EnsureFree(IPAddress.Parse("192.0.2.1"), port, "silo", "--silo-port"));

        Assert.Equal("silo address 192.0.2.1 is not an address of this machine: expected one of its addresses with --address", e.Message);
    }

    [Fact]
    public void FreeLoopbackPort_IsAPortThatCanBeBound()
    {
        var ports = Enumerable.Range(0, 5).Select(_ => SiloPorts.FreeLoopbackPort()).ToList();

        Assert.All(ports, p => Assert.InRange(p, 1024, 65535));
        foreach (var port in ports.Distinct())
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            Assert.Equal(port, ((IPEndPoint)listener.LocalEndpoint).Port);
        }
    }

    private static TcpListener Listen(IPAddress address, bool reuseAddress)
    {
        var listener = new TcpListener(address, 0);
        if (reuseAddress)
        {
            // As Orleans binds: on Linux, .NET sets SO_REUSEADDR and SO_REUSEPORT.
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        }

        listener.Start();
        return listener;
    }
}
