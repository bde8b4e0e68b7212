// Per-product insights on the dashboard (Atlassian Cloud, issue 20): "412 users inactive in Confluence ≥ 60 days",
// each with "Take action" opening the rule that suspends exactly those users (safe mode, prefilled with the product's
// signal). Its own section and its own route (GET /api/insights/products), beside the dashboard's other insights;
// a Data Center directory has no per-product dates, so the section stays hidden there.

import { h, clear, button, plain } from '../dom';
import { get, type Schemas } from '../api';
import { section, showError } from '../components';
import { navigate } from '../router';

type ProductInsightsAnswer = Schemas['GetProductInsightsResponse'];

export function productInsightsSection(): HTMLElement {
  const body = h('div', { 'data-testid': 'product-insights' }, h('p', { class: 'sw-muted' }, 'Loading…'));
  const host = section('Insights per product', body);
  host.hidden = true;
  void get<ProductInsightsAnswer>('insights/products').then((data) => {
    if (!data.insights.length) return;
    host.hidden = false;
    clear(body,
      h('ul', { class: 'sw-insights' }, data.insights.map((i) => h('li', { 'data-testid': 'product-insight', 'data-product': i.product }, plain(i.message), ' ',
        button('Take action', () => { sessionStorage.setItem('seatwarden.draftPolicy', JSON.stringify(i.suggestedPolicy)); navigate('automation/new'); }, 'primary')))),
      // Atlassian reports last-active dates up to a day late (docs/cloud.md).
      h('p', { class: 'sw-muted' }, 'Last-active dates come from Atlassian and may lag up to 24 hours.'));
  }, (e: unknown) => { host.hidden = false; clear(body); showError(body, e); });
  return host;
}
