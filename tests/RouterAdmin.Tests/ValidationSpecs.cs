using System.Net;
using RouterAdmin.Domain;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests;

/// <summary>Every bad input gets a message next to the field it belongs to; good input comes out as domain values.</summary>
public sealed class ValidationSpecs
{
    private static readonly Domain.RouterSettings Lan = Make.Settings();

    private static ValidationErrors Refusal(Action validate)
    {
        var refusal = Assert.Throws<InvalidInput>(validate);
        Assert.False(refusal.Errors.IsEmpty);
        return refusal.Errors;
    }

    private static string OnlyError(ValidationErrors errors, string field)
    {
        Assert.Equal([field], errors.ByField.Keys);
        var message = errors.For(field);
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message!;
    }

    // ------------------------------------------------------------------ IPv4 addresses

    [Theory]
    [InlineData("10")]
    [InlineData("10.1")]
    [InlineData("0x0a.0.0.1")]
    [InlineData("192.168.001.2")]
    [InlineData("192.168.1.02")]
    [InlineData("256.1.1.1")]
    [InlineData("192.168.1.256")]
    [InlineData("192.168.1.2.3")]
    [InlineData("192.168.1.")]
    [InlineData("192.168..2")]
    [InlineData("192.168.1.-2")]
    [InlineData("192.168.1.+2")]
    [InlineData("::1")]
    [InlineData("alice")]
    [InlineData("")]
    public void Something_that_is_not_a_dotted_quad_IPv4_address_is_refused_as_a_client_address(string typed)
    {
        var errors = Refusal(() => InventoryValidator.Validate(Make.Client(lanAddress: typed), Lan));

        var message = OnlyError(errors, nameof(ClientDraft.LanAddress));
        Assert.Contains($"\"{typed}\" is not an IPv4 address", message);
        Assert.Contains("e.g. 192.168.1.2", message);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("0x0a.0.0.1")]
    [InlineData("203.000.113.2")]
    [InlineData("256.1.1.1")]
    public void Something_that_is_not_a_dotted_quad_IPv4_address_is_refused_as_an_external_address(string typed)
    {
        var errors = Refusal(() => InventoryValidator.Validate(Make.External(address: typed), Lan));

        Assert.Contains($"\"{typed}\" is not an IPv4 address", OnlyError(errors, nameof(ExternalAddressDraft.Address)));
    }

    [Theory]
    [InlineData("10")]
    [InlineData("0x0a.0.0.1/32")]
    [InlineData("198.51.100.010")]
    [InlineData("256.1.1.1/24")]
    public void Something_that_is_not_a_dotted_quad_IPv4_address_is_refused_as_an_endpoint(string typed)
    {
        var errors = Refusal(() => InventoryValidator.Validate(Make.Endpoint(destination: typed), Lan));

        Assert.Contains($"\"{typed}\" is not an IPv4 address or CIDR network", OnlyError(errors, nameof(EndpointDraft.Destination)));
    }

    [Fact]
    public void A_long_bad_address_is_echoed_shortened_rather_than_as_a_wall_of_text()
    {
        var typed = new string('9', 300);

        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Client(lanAddress: typed), Lan)), nameof(ClientDraft.LanAddress));

        Assert.Contains($"\"{new string('9', 40)}…\"", message);
        Assert.True(message.Length < 150, message);
    }

    [Fact]
    public void Spaces_around_an_address_are_ignored()
    {
        var client = InventoryValidator.Validate(Make.Client(lanAddress: "  192.168.1.20 "), Lan);

        Assert.Equal(IPAddress.Parse("192.168.1.20"), client.LanAddress);
    }

    // ------------------------------------------------------------------ client addresses and the LAN

    [Fact]
    public void The_LAN_subnets_network_address_is_refused_as_a_client()
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Client(lanAddress: "192.168.1.0"), Lan)), nameof(ClientDraft.LanAddress));

        Assert.Equal("192.168.1.0 is the LAN subnet's network address, not a host.", message);
    }

    [Fact]
    public void The_LAN_subnets_broadcast_address_is_refused_as_a_client()
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Client(lanAddress: "192.168.1.255"), Lan)), nameof(ClientDraft.LanAddress));

        Assert.Equal("192.168.1.255 is the LAN subnet's broadcast address, not a host.", message);
    }

    [Fact]
    public void In_a_wider_LAN_the_broadcast_address_is_the_last_of_the_whole_subnet()
    {
        var wide = Make.Settings(lan: "10.0.0.0/16");

        var inside = InventoryValidator.Validate(Make.Client(lanAddress: "10.0.1.255"), wide);
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Client(lanAddress: "10.0.255.255"), wide)), nameof(ClientDraft.LanAddress));

        Assert.Equal(IPAddress.Parse("10.0.1.255"), inside.LanAddress);
        Assert.Contains("broadcast", message);
    }

    [Theory]
    [InlineData("192.168.2.5")]
    [InlineData("10.0.0.5")]
    [InlineData("203.0.113.2")]
    public void A_client_outside_the_LAN_subnet_is_refused_with_a_message_naming_the_subnet(string typed)
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Client(lanAddress: typed), Lan)), nameof(ClientDraft.LanAddress));

        Assert.Equal($"{typed} is outside the LAN subnet 192.168.1.0/24; clients must be on the LAN.", message);
    }

    [Fact]
    public void A_valid_client_comes_out_as_domain_values()
    {
        var client = InventoryValidator.Validate(Make.Client("  Alice  ", "192.168.1.2", "52:54:00:12:34:56", "  desk 4  ", enabled: false), Lan);

        Assert.Equal(new InventoryValidator.ValidClient("Alice", IPAddress.Parse("192.168.1.2"), "52:54:00:12:34:56", "desk 4", false), client);
    }

    [Fact]
    public void Every_bad_field_of_a_client_is_reported_at_once_each_under_its_own_name()
    {
        var errors = Refusal(() => InventoryValidator.Validate(Make.Client("", "10", "not-a-mac", new string('x', 2001)), Lan));

        Assert.Equal(
            [nameof(ClientDraft.LanAddress), nameof(ClientDraft.MacAddress), nameof(ClientDraft.Name), nameof(ClientDraft.Notes)],
            errors.ByField.Keys.Order(StringComparer.Ordinal));
    }

    // ------------------------------------------------------------------ external addresses

    [Theory]
    [InlineData("192.168.1.50")]
    [InlineData("192.168.1.1")]
    public void An_external_address_inside_the_LAN_subnet_is_refused(string typed)
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.External(address: typed), Lan)), nameof(ExternalAddressDraft.Address));

        Assert.Equal($"{typed} is inside the LAN subnet 192.168.1.0/24; an external address must be on the WAN side.", message);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("127.0.0.1")]
    [InlineData("224.0.0.5")]
    [InlineData("255.255.255.255")]
    public void An_address_that_cannot_be_a_source_is_refused_as_an_external_address(string typed)
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.External(address: typed), Lan)), nameof(ExternalAddressDraft.Address));

        Assert.Contains("cannot be a public source address", message);
    }

    [Theory]
    [InlineData("203.0.113.0", 24)]
    [InlineData("203.0.113.255", 24)]
    [InlineData("203.0.113.7", 30)]
    public void The_network_or_broadcast_address_of_its_own_prefix_is_refused_as_an_external_address(string typed, int prefix)
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.External(address: typed, prefixLength: prefix), Lan)), nameof(ExternalAddressDraft.Address));

        Assert.Equal($"{typed} is the network or broadcast address of {typed}/{prefix}, not a host.", message);
    }

    [Fact]
    public void A_single_host_external_address_may_end_in_zero()
    {
        var address = InventoryValidator.Validate(Make.External(address: "203.0.113.0", prefixLength: 32), Lan);

        Assert.Equal(IPAddress.Parse("203.0.113.0"), address.Address);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    [InlineData(-1)]
    public void A_prefix_length_outside_1_to_32_is_refused(int prefix)
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.External(prefixLength: prefix), Lan)), nameof(ExternalAddressDraft.PrefixLength));

        Assert.Equal("The prefix length must be between 1 and 32.", message);
    }

    // ------------------------------------------------------------------ endpoints (address or CIDR)

    [Theory]
    [InlineData("198.51.100.10", "198.51.100.10/32")]
    [InlineData("198.51.100.10/32", "198.51.100.10/32")]
    [InlineData("198.51.100.0/24", "198.51.100.0/24")]
    [InlineData(" 10.20.0.0/16 ", "10.20.0.0/16")]
    public void An_endpoint_is_an_address_or_a_network_in_CIDR_form(string typed, string expected)
    {
        var endpoint = InventoryValidator.Validate(Make.Endpoint(destination: typed), Lan);

        Assert.Equal(IPNetwork.Parse(expected), endpoint.Destination);
    }

    [Theory]
    [InlineData("198.51.100.5/24", "198.51.100.0/24")]
    [InlineData("198.51.100.9/31", "198.51.100.8/31")]
    [InlineData("10.20.30.40/8", "10.0.0.0/8")]
    public void An_endpoint_network_with_host_bits_set_is_refused_with_the_network_it_probably_meant(string typed, string meant)
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Endpoint(destination: typed), Lan)), nameof(EndpointDraft.Destination));

        Assert.Contains("has host bits set", message);
        Assert.Contains($"the network is {meant}", message);
    }

    [Theory]
    [InlineData("198.51.100.0/33")]
    [InlineData("198.51.100.0/")]
    [InlineData("198.51.100.0/x")]
    [InlineData("198.51.100.0/-8")]
    [InlineData("198.51.100.0/24/8")]
    [InlineData("198.51.100.0/240")]
    public void An_endpoint_with_a_bad_prefix_length_is_refused(string typed)
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Endpoint(destination: typed), Lan)), nameof(EndpointDraft.Destination));

        Assert.Contains("no valid prefix length after the slash", message);
    }

    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("0.0.0.0/1")]
    [InlineData("128.0.0.0/7")]
    public void An_endpoint_so_broad_it_would_capture_the_internet_is_refused(string typed)
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Endpoint(destination: typed), Lan)), nameof(EndpointDraft.Destination));

        Assert.Contains("too broad", message);
    }

    [Fact]
    public void Slash_zero_on_a_real_address_is_refused_too()
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Endpoint(destination: "198.51.100.10/0"), Lan)), nameof(EndpointDraft.Destination));

        Assert.Contains("host bits set", message);
    }

    [Theory]
    [InlineData("192.168.1.7")]
    [InlineData("192.168.0.0/16")]
    [InlineData("192.168.1.128/25")]
    public void An_endpoint_overlapping_the_LAN_is_refused(string typed)
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Endpoint(destination: typed), Lan)), nameof(EndpointDraft.Destination));

        Assert.Contains("overlaps the LAN subnet 192.168.1.0/24", message);
    }

    [Fact]
    public void An_empty_endpoint_asks_for_an_address_with_an_example()
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Endpoint(destination: "  "), Lan)), nameof(EndpointDraft.Destination));

        Assert.Equal("An address or network is required, e.g. 198.51.100.10 or 198.51.100.0/24.", message);
    }

    // ------------------------------------------------------------------ names and notes

    [Theory]
    [InlineData("O'Brien's \"work\" laptop")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("Zoë — 2nd floor; -j ACCEPT")]
    [InlineData("COMMIT")]
    public void Names_with_quotes_markup_or_iptables_words_are_allowed_and_kept_verbatim(string name)
    {
        var client = InventoryValidator.Validate(Make.Client(name: name), Lan);
        var endpoint = InventoryValidator.Validate(Make.Endpoint(name: name), Lan);

        Assert.Equal(name, client.Name);
        Assert.Equal(name, endpoint.Name);
    }

    [Theory]
    [InlineData("Alice\nCOMMIT")]
    [InlineData("Alice\r\n*filter")]
    [InlineData("Alice\rBob")]
    [InlineData("Alice\tBob")]
    [InlineData("Alice\0")]
    [InlineData("Alice\u0085Bob")]
    public void Names_with_a_line_break_or_control_character_are_refused(string name)
    {
        var clientMessage = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Client(name: name), Lan)), nameof(ClientDraft.Name));
        var endpointMessage = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Endpoint(name: name), Lan)), nameof(EndpointDraft.Name));

        Assert.Equal("A name must be a single line without tabs or control characters.", clientMessage);
        Assert.Equal(clientMessage, endpointMessage);
    }

    // U+2028 and U+2029 are line breaks without being control characters; a name must still be one line.
    [Theory]
    [InlineData(0x2028)]
    [InlineData(0x2029)]
    public void Names_with_a_unicode_line_or_paragraph_separator_are_refused_like_any_other_line_break(int separator)
    {
        var name = $"Alice{(char)separator}Bob";

        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Client(name: name), Lan)), nameof(ClientDraft.Name));

        Assert.Equal("A name must be a single line without tabs or control characters.", message);
    }

    [Fact]
    public void A_name_of_500_characters_is_refused_saying_how_long_it_is()
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Client(name: new string('a', 500)), Lan)), nameof(ClientDraft.Name));

        Assert.Equal("A name can have at most 64 characters (this one has 500).", message);
    }

    [Fact]
    public void A_name_of_exactly_the_maximum_length_is_accepted()
    {
        var name = new string('a', Limits.NameLength);

        Assert.Equal(name, InventoryValidator.Validate(Make.Client(name: name), Lan).Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_name_is_refused(string name)
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Client(name: name), Lan)), nameof(ClientDraft.Name));

        Assert.Equal("A name is required.", message);
    }

    [Fact]
    public void Notes_longer_than_2000_characters_are_refused_saying_how_long_they_are()
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Client(notes: new string('n', 2001)), Lan)), nameof(ClientDraft.Notes));

        Assert.Equal("Notes can have at most 2000 characters (these have 2001).", message);
    }

    [Fact]
    public void Notes_may_have_several_lines_and_tabs()
    {
        var notes = "Desk 4\nleft side\r\n\tcall first";

        Assert.Equal(notes, InventoryValidator.Validate(Make.Client(notes: notes), Lan).Notes);
    }

    [Fact]
    public void Notes_with_other_control_characters_are_refused()
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.External(notes: "ring\abell"), Lan)), nameof(ExternalAddressDraft.Notes));

        Assert.Equal("Notes must not contain control characters.", message);
    }

    [Fact]
    public void Blank_notes_are_stored_as_nothing()
    {
        Assert.Null(InventoryValidator.Validate(Make.Endpoint(notes: "   "), Lan).Notes);
    }

    // ------------------------------------------------------------------ MAC addresses

    [Theory]
    [InlineData("52:54:00:12:34:56", "52:54:00:12:34:56")]
    [InlineData("52-54-00-AB-CD-EF", "52:54:00:ab:cd:ef")]
    [InlineData(" 52:54:00:Ab:cD:eF ", "52:54:00:ab:cd:ef")]
    [InlineData("", null)]
    [InlineData("  ", null)]
    public void A_MAC_address_is_optional_and_stored_lower_case_with_colons(string typed, string? stored)
    {
        Assert.Equal(stored, InventoryValidator.Validate(Make.Client(mac: typed), Lan).MacAddress);
    }

    [Theory]
    [InlineData("52:54:00:12:34")]
    [InlineData("52:54:00:12:34:56:78")]
    [InlineData("5254.0012.3456")]
    [InlineData("525400123456")]
    [InlineData("52:54:00:12:34:5g")]
    [InlineData("52:54:00:12:34:567")]
    [InlineData("52 54 00 12 34 56")]
    public void A_malformed_MAC_address_is_refused_with_an_example(string typed)
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.Client(mac: typed), Lan)), nameof(ClientDraft.MacAddress));

        Assert.Equal($"\"{typed.Trim()}\" is not a MAC address, e.g. 52:54:00:12:34:56.", message);
    }

    // ------------------------------------------------------------------ interface names

    [Theory]
    [InlineData("eth1")]
    [InlineData("eth0.100")]
    [InlineData("br-lan")]
    [InlineData("wan_1")]
    [InlineData("enp3s0f1np1")]
    [InlineData("abcdefghijklmno")]
    public void Linux_interface_names_are_accepted(string name)
    {
        Assert.Equal(name, InventoryValidator.Validate(Make.External(iface: name), Lan).Interface);
    }

    [Theory]
    [InlineData("eth 1")]
    [InlineData("eth1;reboot")]
    [InlineData("eth1/2")]
    [InlineData("eth1:ra")]
    [InlineData("abcdefghijklmnop")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("eth\n1")]
    [InlineData("$(reboot)")]
    public void Anything_that_is_not_a_Linux_interface_name_is_refused(string name)
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.External(iface: name), Lan)), nameof(ExternalAddressDraft.Interface));

        Assert.Contains("is not a Linux interface name (1 to 15 letters, digits, '.', '-' or '_')", message);
    }

    [Fact]
    public void A_missing_interface_name_asks_for_one()
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(Make.External(iface: ""), Lan)), nameof(ExternalAddressDraft.Interface));

        Assert.Equal("An interface name is required, e.g. eth1.", message);
    }

    // ------------------------------------------------------------------ settings

    [Theory]
    [InlineData("192.168.1.0/31")]
    [InlineData("10.0.0.0/7")]
    public void A_LAN_subnet_without_room_for_clients_or_absurdly_wide_is_refused(string typed)
    {
        var message = OnlyError(Refusal(() => InventoryValidator.Validate(new SettingsDraft { WanInterface = "eth1", LanSubnet = typed })), nameof(SettingsDraft.LanSubnet));

        Assert.Equal("A LAN subnet must be between /8 and /30 so it has room for clients.", message);
    }

    [Fact]
    public void Settings_report_a_bad_WAN_interface_and_a_bad_LAN_together()
    {
        var errors = Refusal(() => InventoryValidator.Validate(new SettingsDraft { WanInterface = "eth 1", LanSubnet = "192.168.1.5/24" }));

        Assert.True(errors.Has(nameof(SettingsDraft.WanInterface)));
        Assert.Contains("host bits set", errors.For(nameof(SettingsDraft.LanSubnet)));
    }
}
