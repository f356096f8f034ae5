using Microsoft.AspNetCore.Http;
using ProblemHttpResult = Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult;
using MudBlazor;
using RouterAdmin.Api;
using RouterAdmin.Components.Shared;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Refusals;
using Xunit;

namespace RouterAdmin.Tests;

/// <summary>One refusal vocabulary, mapped once to problem details (the API) and once to messages (the pages).</summary>
public sealed class RefusalSpecs
{
    [Fact]
    public void Bad_input_becomes_a_400_validation_problem_keyed_by_the_field_names_the_forms_use()
    {
        var errors = new ValidationErrors();
        errors.Add("LanAddress", "192.168.1.2 is already used by client Alice.");
        errors.Add("Name", "A name is required.");

        var problem = Assert.IsType<ProblemHttpResult>(new InvalidInput(errors).ToProblem());

        Assert.Equal(StatusCodes.Status400BadRequest, problem.StatusCode);
        var details = Assert.IsType<HttpValidationProblemDetails>(problem.ProblemDetails);
        Assert.Equal(["192.168.1.2 is already used by client Alice."], details.Errors["LanAddress"]);
        Assert.Equal(["A name is required."], details.Errors["Name"]);
    }

    [Fact]
    public void A_forbidden_change_is_a_403_a_conflict_a_409_and_an_outdated_preview_a_409_that_says_so()
    {
        var forbidden = Assert.IsType<ProblemHttpResult>(new Forbidden("vera is a viewer.").ToProblem());
        var conflict = Assert.IsType<ProblemHttpResult>(new Conflict("That client no longer exists.").ToProblem());
        var outdated = Assert.IsType<ProblemHttpResult>(ApplyResult.Refused(new OutdatedPreview()).ToProblem());

        Assert.Equal((StatusCodes.Status403Forbidden, "vera is a viewer."), (forbidden.StatusCode, forbidden.ProblemDetails.Detail));
        Assert.Equal((StatusCodes.Status409Conflict, "That client no longer exists."), (conflict.StatusCode, conflict.ProblemDetails.Detail));
        Assert.Equal((StatusCodes.Status409Conflict, "The preview is out of date"), (outdated.StatusCode, outdated.ProblemDetails.Title));
    }

    [Fact]
    public void A_page_shows_each_field_message_for_bad_input_and_the_message_itself_otherwise()
    {
        var errors = new ValidationErrors();
        errors.Add("Password", "A password needs at least 12 characters.");
        errors.Add("UserName", "The user name ada is taken.");

        Assert.Equal(["A password needs at least 12 characters.", "The user name ada is taken."], RefusalMessages.Lines(new InvalidInput(errors)));
        Assert.Equal(["This is the last administrator."], RefusalMessages.Lines(new Conflict("This is the last administrator.")));
        Assert.Equal(Severity.Error, RefusalMessages.SeverityOf(new Forbidden("no")));
        Assert.Equal(Severity.Warning, RefusalMessages.SeverityOf(new OutdatedPreview()));
    }
}
