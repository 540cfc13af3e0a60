export const id = 318;
export const ids = [318];
export const modules = {

/***/ 7318:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ACTIONS_BOT: () => (/* binding */ ACTIONS_BOT),
/* harmony export */   COMMENT_LIMIT_CHARS: () => (/* reexport safe */ _limits_js__WEBPACK_IMPORTED_MODULE_1__.iW),
/* harmony export */   buildCommentBody: () => (/* binding */ buildCommentBody),
/* harmony export */   commentMarker: () => (/* binding */ commentMarker),
/* harmony export */   publishComment: () => (/* binding */ publishComment)
/* harmony export */ });
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5564);
/* harmony import */ var _limits_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(351);
/* harmony import */ var _context_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9556);
/**
 * The sticky pull-request comment: one comment per pull request (and per workflow job) carrying a
 * hidden marker; later runs edit it. Only a comment that has the marker AND was written by the
 * token's own user is edited, since anyone who can comment could plant the marker.
 */



/** GitHub refuses comment bodies above this many characters. */

/** The author of comments made with a workflow's GITHUB_TOKEN. */
const ACTIONS_BOT = 'github-actions[bot]';
const TRUNCATED_NOTE = "> ✂️ Truncated to fit GitHub's 65,536-character comment limit: the full report is in the job summary and summary.md.";
/**
 * The hidden marker. It names the workflow and job, so two uses of the action in one repository
 * keep a comment each; `--` and `>` are removed because they would end the HTML comment early.
 */
function commentMarker(env) {
    const id = [env.GITHUB_WORKFLOW, env.GITHUB_JOB]
        .filter(Boolean)
        .join('/')
        .replace(/[<>]/g, '')
        .replace(/-{2,}/g, '-')
        .replace(/\s+/g, ' ')
        .trim();
    return id ? `<!-- genesys-usage-report: ${id} -->` : '<!-- genesys-usage-report -->';
}
/** Marker first (so a cut never loses it), then the report, cut to `limit` characters with a note. */
function buildCommentBody(markdown, marker, limit = _limits_js__WEBPACK_IMPORTED_MODULE_1__/* .COMMENT_LIMIT_CHARS */ .iW) {
    const head = `${marker}\n`;
    return head + (0,_limits_js__WEBPACK_IMPORTED_MODULE_1__/* .fitText */ .vY)(markdown, limit - head.length, 'chars', TRUNCATED_NOTE);
}
function statusOf(error) {
    const status = error?.status;
    return typeof status === 'number' ? status : undefined;
}
/** One clear line: what failed, GitHub's answer, and the likely fix. */
function commentError(action, error) {
    const status = statusOf(error);
    const message = error instanceof Error ? error.message : String(error);
    const hint = status === 401
        ? ' The github-token is invalid or expired.'
        : status === 403
            ? " The token may not write comments: give the job 'permissions: pull-requests: write' (pull requests from forks only get a read-only token; see docs/where-to-run.md)."
            : status === 404
                ? ' The repository or pull request was not found with this token (check GITHUB_REPOSITORY, GITHUB_API_URL and the token).'
                : '';
    return new Error(`${action} failed${status ? ` (HTTP ${status})` : ''}: ${message}.${hint}`);
}
/**
 * The login that the token writes comments as. A workflow's GITHUB_TOKEN (an installation token)
 * may not read /user: its comments are by github-actions[bot]. A personal token reads its own login.
 */
async function tokenLogin(octokit) {
    try {
        const { data } = await octokit.rest.users.getAuthenticated();
        return data.login;
    }
    catch (error) {
        if (statusOf(error) === 403)
            return ACTIONS_BOT;
        throw commentError('Reading the token user (GET /user)', error);
    }
}
/** Creates or updates the sticky comment on `pull_request` and `pull_request_target` runs. */
async function publishComment(config, ctx, markdown) {
    const { env, io } = ctx;
    const event = env.GITHUB_EVENT_NAME ?? '';
    if (!_context_js__WEBPACK_IMPORTED_MODULE_2__/* .COMMENT_EVENTS */ .Ae.includes(event)) {
        io.debug(`No pull-request comment: the event is '${event || 'unknown'}', not a pull request.`);
        return;
    }
    const target = (0,_context_js__WEBPACK_IMPORTED_MODULE_2__/* .pullRequestTarget */ .Sj)(env, await (0,_context_js__WEBPACK_IMPORTED_MODULE_2__/* .readEventPayload */ .N5)(env));
    if (!target) {
        throw new Error(`No pull request found for the comment: the ${event} payload at GITHUB_EVENT_PATH has no pull request number, or GITHUB_REPOSITORY is unset.`);
    }
    if (!config.githubToken) {
        throw new Error("No token for the pull-request comment: set 'github-token' (default: github.token).");
    }
    const baseUrl = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
    const octokit = (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(config.githubToken, { baseUrl });
    const marker = commentMarker(env);
    const body = buildCommentBody(markdown, marker);
    const where = { owner: target.owner, repo: target.repo };
    const login = (await tokenLogin(octokit)).toLowerCase();
    let existing;
    try {
        const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
            ...where,
            issue_number: target.number,
            per_page: 100,
        });
        for await (const page of pages) {
            const own = page.data.find((c) => c.user?.login.toLowerCase() === login && (c.body ?? '').includes(marker));
            if (own) {
                existing = own.id;
                break;
            }
        }
    }
    catch (error) {
        throw commentError(`Listing the comments of pull request #${target.number}`, error);
    }
    if (existing !== undefined) {
        try {
            await octokit.rest.issues.updateComment({ ...where, comment_id: existing, body });
        }
        catch (error) {
            throw commentError(`Updating comment #${existing}`, error);
        }
        io.info(`Updated comment #${existing} on pull request #${target.number}.`);
        return;
    }
    let created;
    try {
        ({
            data: { id: created },
        } = await octokit.rest.issues.createComment({ ...where, issue_number: target.number, body }));
    }
    catch (error) {
        throw commentError(`Commenting on pull request #${target.number}`, error);
    }
    io.info(`Created comment #${created} on pull request #${target.number}.`);
}


/***/ })

};

//# sourceMappingURL=318.index.js.map