import {render} from 'preact';
import {useEffect, useState} from 'preact/hooks';
import {ApiError, LoginRequired, fetchOptions, fetchPreview, submitReturn} from './api.js';
import {canSubmit, initialPicks, refusals, requestBody, resolutionsOf, summary, updatePick} from './logic.js';

export default async () => {
  render(<ReturnAction />, document.body);
};

const KNOWN_CONDITIONS = ['new', 'worn', 'damaged'];

function ReturnAction() {
  const t = shopify.i18n.translate;
  const orderId = shopify.orderId;
  const [state, setState] = useState({loading: true, options: null, error: null, login: false});
  const [picks, setPicks] = useState({});
  const [preview, setPreview] = useState(null);
  const [sending, setSending] = useState(false);
  const [done, setDone] = useState(null);

  useEffect(() => {
    fetchOptions(shopify, orderId).then(
      (options) => {
        setState({loading: false, options, error: null, login: false});
        setPicks(initialPicks(options));
      },
      (error) => setState({loading: false, options: null, error, login: error instanceof LoginRequired}),
    );
  }, [orderId]);

  const body = requestBody(state.options, picks);
  const key = JSON.stringify(body);
  useEffect(() => {
    let live = true;
    if (body) {
      fetchPreview(shopify, orderId, body).then(
        (answer) => live && setPreview({...answer, forKey: key}),
        (error) => live && setPreview({allowed: false, error, forKey: key}),
      );
    }
    return () => {
      live = false;
    };
  }, [key]);
  // Only the outcome of the picks as they are now is shown, and only it lets the shopper submit.
  const current = preview && preview.forKey === key ? preview : null;

  const submit = async () => {
    setSending(true);
    try {
      setDone(await submitReturn(shopify, orderId, body));
    } catch (error) {
      setPreview({...current, allowed: false, error, forKey: key});
    } finally {
      setSending(false);
    }
  };

  const close = <s-button slot="secondary-actions" onClick={() => shopify.close()}>{t('close')}</s-button>;
  let content;
  if (state.loading) content = <s-spinner accessibilityLabel={t('loading')} />;
  else if (state.login) content = <SignIn />;
  else if (state.error) content = <s-banner tone="critical">{t('error')}</s-banner>;
  else if (done) content = <Done answer={done} />;
  else content = <Form options={state.options} picks={picks} setPicks={setPicks} preview={current} />;
  const ready = !done && !state.error && canSubmit(body, current);
  return (
    <s-customer-account-action heading={t('heading')}>
      {content}
      {!done && !state.error && !state.loading && (
        <s-button slot="primary-action" disabled={!ready || sending} loading={sending} onClick={submit}>
          {t('submit')}
        </s-button>
      )}
      {close}
    </s-customer-account-action>
  );
}

function SignIn() {
  const t = shopify.i18n.translate;
  const login = /** @type {any} */ (shopify).requireLogin;
  return (
    <s-stack gap="small-200">
      <s-text>{t('login.message')}</s-text>
      {typeof login === 'function' && <s-button onClick={() => login()}>{t('login.action')}</s-button>}
    </s-stack>
  );
}

function Done({answer}) {
  const t = shopify.i18n.translate;
  return (
    <s-stack gap="small-200">
      {answer.returns.map((r) => (
        <s-banner tone="success">{t(`done.${r.resolution}`, {name: r.name})}</s-banner>
      ))}
    </s-stack>
  );
}

function money(amount) {
  return shopify.i18n.formatCurrency(Number(amount));
}

function date(iso) {
  return shopify.i18n.formatDate(new Date(`${iso}T00:00:00Z`), {timeZone: 'UTC', dateStyle: 'long'});
}

function Form({options, picks, setPicks, preview}) {
  const t = shopify.i18n.translate;
  const refused = refusals(preview);
  return (
    <s-stack gap="base">
      <s-text color="subdued">{t('intro')}</s-text>
      {options.lines.map((line) => (
        <Line line={line} pick={picks[line.line_item_id]} options={options} refused={refused[line.line_item_id]}
          onChange={(change) => setPicks((current) => updatePick(current, line, change))} />
      ))}
      <Summary preview={preview} />
    </s-stack>
  );
}

// Polaris web components report their state on the element that fired the event.
function value(event) {
  return /** @type {any} */ (event.currentTarget).value;
}

function checked(event) {
  return !!(/** @type {any} */ (event.currentTarget).checked);
}

function Line({line, pick, options, refused, onChange}) {
  const t = shopify.i18n.translate;
  const title = line.variant_title ? `${line.title} (${line.variant_title})` : line.title;
  return (
    <s-stack gap="small-200" id={`line-${line.line_item_id}`}>
      <s-checkbox label={title} checked={!!pick?.selected} disabled={!line.returnable}
        onChange={(e) => onChange({selected: checked(e)})} />
      {!line.returnable && line.why_not.map((w) => <s-text color="subdued">{w.text}</s-text>)}
      {line.returnable && line.deadline && <s-text color="subdued">{t('return_by', {date: date(line.deadline)})}</s-text>}
      {pick?.selected && (
        <s-stack gap="small-200">
          {line.quantity > 1 && (
            <s-number-field label={t('quantity')} min={1} max={line.quantity} value={String(pick.quantity)}
              onChange={(e) => onChange({quantity: value(e)})} />
          )}
          <s-select label={t('resolution.label')} value={pick.resolution} onChange={(e) => onChange({resolution: value(e)})}>
            {resolutionsOf(line).map((r) => <s-option value={r}>{t(`resolution.${r}`)}</s-option>)}
          </s-select>
          {pick.resolution === 'exchange' && (
            <s-select label={t('exchange_for')} value={pick.variant} onChange={(e) => onChange({variant: value(e)})}>
              {line.exchange_variants.map((v) => <s-option value={v.id}>{v.title}</s-option>)}
            </s-select>
          )}
          <s-select label={t('reason')} value={pick.reason} onChange={(e) => onChange({reason: value(e)})}>
            {options.reasons.map((r) => <s-option value={r.id}>{r.name}</s-option>)}
          </s-select>
          <s-select label={t('condition.label')} value={pick.condition} onChange={(e) => onChange({condition: value(e)})}>
            {options.conditions.map((c) => (
              <s-option value={c}>{KNOWN_CONDITIONS.includes(c) ? t(`condition.${c}`) : c}</s-option>
            ))}
          </s-select>
          {refused && refused.map((text) => <s-text tone="critical">{text}</s-text>)}
        </s-stack>
      )}
    </s-stack>
  );
}

function Summary({preview}) {
  const t = shopify.i18n.translate;
  if (!preview) return null;
  if (preview.error) {
    const message = preview.error instanceof ApiError ? preview.error.message : t('error');
    return <s-banner tone="critical">{message}</s-banner>;
  }
  const rows = summary(preview);
  return (
    <s-stack gap="small-200" id="fineprint-summary">
      {rows.map((row) => (
        <s-text type={row.key.startsWith('total') ? 'strong' : undefined}>{t(row.key, {amount: money(row.amount)})}</s-text>
      ))}
      {!rows.length && <s-text>{t('total.nothing')}</s-text>}
    </s-stack>
  );
}
