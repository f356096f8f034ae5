using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Components.Pages;
using Xunit;

namespace RouterAdmin.Tests.Pages;

/// <summary>Adding a client through the form: good input is saved, bad input is marked at its field and nothing is saved.</summary>
public sealed class ClientEditPageSpecs : PageSpecs
{
    private IRenderedComponent<ClientEdit> RenderNewClientForm()
    {
        SignInAsAdmin();
        return Render<ClientEdit>();
    }

    private static void Type(IRenderedComponent<ClientEdit> cut, string inputId, string text) => cut.Find($"#{inputId}").Input(text);

    private static string? ErrorNextTo(IRenderedComponent<ClientEdit> cut, string inputId) =>
        cut.Find($"#{inputId}").Closest(".mud-input-control")?.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim();

    private async Task<int> ClientCountAsync()
    {
        await using var db = Database.NewContext();
        return await db.Clients.CountAsync(Ct);
    }

    [Fact]
    public async Task Filling_in_the_form_and_submitting_adds_the_client_and_opens_it()
    {
        var cut = RenderNewClientForm();
        Type(cut, "client-name", "Alice's laptop");
        Type(cut, "client-lan-address", "192.168.1.2");
        Type(cut, "client-mac", "52-54-00-AB-CD-EF");
        Type(cut, "client-notes", "desk 4");

        await cut.Find("form").SubmitAsync();

        await using var db = Database.NewContext();
        var saved = await db.Clients.SingleAsync(Ct);
        Assert.Equal(("Alice's laptop", "192.168.1.2", "52:54:00:ab:cd:ef", "desk 4"), (saved.Name, saved.LanAddress.ToString(), saved.MacAddress, saved.Notes));
        Assert.EndsWith($"/clients/{saved.Id}", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task Bad_input_is_marked_next_to_its_field_keeps_what_was_typed_and_saves_nothing()
    {
        var cut = RenderNewClientForm();
        Type(cut, "client-name", "Alice");
        Type(cut, "client-lan-address", "192.168.2.7");
        Type(cut, "client-mac", "52:54:00");

        await cut.Find("form").SubmitAsync();

        Assert.Equal("192.168.2.7 is outside the LAN subnet 192.168.1.0/24; clients must be on the LAN.", ErrorNextTo(cut, "client-lan-address"));
        Assert.Equal("\"52:54:00\" is not a MAC address, e.g. 52:54:00:12:34:56.", ErrorNextTo(cut, "client-mac"));
        Assert.Null(ErrorNextTo(cut, "client-name"));
        Assert.Equal("Alice", cut.Find("#client-name").GetAttribute("value"));
        Assert.Equal("192.168.2.7", cut.Find("#client-lan-address").GetAttribute("value"));
        Assert.Equal(0, await ClientCountAsync());
        Assert.EndsWith("/", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task A_duplicate_LAN_address_is_marked_at_the_address_field_naming_the_client_that_has_it()
    {
        await AddClientAsync("Alice", "192.168.1.2");
        var cut = RenderNewClientForm();
        Type(cut, "client-name", "Bob");
        Type(cut, "client-lan-address", "192.168.1.2");

        await cut.Find("form").SubmitAsync();

        Assert.Equal("192.168.1.2 is already used by client Alice.", ErrorNextTo(cut, "client-lan-address"));
        Assert.Equal(1, await ClientCountAsync());
    }

    [Fact]
    public async Task Correcting_a_field_clears_its_error_and_the_next_submit_saves()
    {
        var cut = RenderNewClientForm();
        Type(cut, "client-name", "Alice");
        Type(cut, "client-lan-address", "10");
        await cut.Find("form").SubmitAsync();
        Assert.Contains("\"10\" is not an IPv4 address", ErrorNextTo(cut, "client-lan-address"));

        Type(cut, "client-lan-address", "192.168.1.2");
        var cleared = ErrorNextTo(cut, "client-lan-address");
        await cut.Find("form").SubmitAsync();

        Assert.Null(cleared);
        Assert.Equal(1, await ClientCountAsync());
    }
}
