using Bunit;
using RouterAdmin.Components.Pages;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Pages;

/// <summary>Markup typed into a name or a note is shown as text on every page that shows it, never run.</summary>
public sealed class HostileRenderingSpecs : PageSpecs
{
    private const string Script = "<script>alert('x')</script>";
    private const string Image = "<img src=x onerror=alert(1)>";

    [Fact]
    public async Task Script_and_markup_in_names_and_notes_are_rendered_inert_on_every_page_that_shows_them()
    {
        SignInAsAdmin();
        var vpn = await Endpoints.CreateAsync(Make.Endpoint(Image, "198.51.100.10", notes: Script), Actors.Admin, Ct);
        var client = await Clients.CreateAsync(Make.Client(Script, "192.168.1.2", notes: Image), Actors.Admin, Ct);
        var address = await Addresses.CreateAsync(Make.External("203.0.113.2", notes: Script), Actors.Admin, Ct);
        await Assignments.AssignAsync(client, vpn, address, Actors.Admin, Ct);

        var pages = new IRenderedComponent<Microsoft.AspNetCore.Components.IComponent>[]
        {
            Render<Clients>(),
            Render<ClientEdit>(ps => ps.Add(p => p.Id, client)),
            Render<EndpointPage>(ps => ps.Add(p => p.Id, vpn)),
            Render<Endpoints>(),
            Render<ExternalAddresses>(),
            Render<Assignments>(),
        };

        foreach (var page in pages)
        {
            page.WaitForAssertion(() => Assert.True(page.Markup.Contains("&lt;script&gt;", StringComparison.Ordinal) || page.Markup.Contains("&lt;img", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(5));
            Assert.Empty(page.FindAll("script"));
            Assert.Empty(page.FindAll("img"));
            // Inside a form field the text is the field's value (an attribute), which is data, not an element.
            Assert.Empty(page.FindAll("[onerror]"));
        }
        var edit = pages[1];
        Assert.Equal(Script, edit.Find("h1").TextContent);
    }
}
