/** An execution's full event history (GetExecutionHistory, every page), for the timeline. */
import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from "@aws-sdk/client-sfn";
import { collectPages } from "./paginate.js";

export function readHistory(
  sfn: SFNClient,
  executionArn: string,
  opts: { includeExecutionData: boolean },
): Promise<HistoryEvent[]> {
  return collectPages(async (nextToken) => {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: 1000,
        includeExecutionData: opts.includeExecutionData,
        nextToken,
      }),
    );
    return { items: page.events, next: page.nextToken };
  });
}
